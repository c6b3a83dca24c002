using Akka.Actor;
using Akka.Cluster.Sharding;
using SweepCluster.Worker;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Query;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Cluster.Work;
using SweepCluster.Training;

namespace SweepCluster.Cluster.Tests;

/// <summary>Coordinators keep what is alive: finished studies sleep, unfinished ones are woken without being asked.</summary>
[Trait("Category", "Cluster")]
public sealed class StudyLifetimeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-lifetime-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private StoreOptions Store => StoreOptions.Sqlite(Path.Combine(_folder, "store.db"));

    private NodeOptions Options(int slots, params string[] roles) =>
        new(roles.Length == 0 ? [ClusterRoles.Coordinator, ClusterRoles.Worker] : roles, "127.0.0.1", 0, null, [], slots, Store, TimeSpan.FromSeconds(30), new EngineTrialExecutor())
        {
            Coordinator = CoordinatorSettings.Default with { PassivateFinishedAfter = TimeSpan.FromSeconds(1) },
        };

    private static async Task<StudyProgress> WaitUntilSettled(ClusterNode node, string study)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var progress = Assert.IsType<StudyProgress>(await node.AskAsync(new GetStudyProgress(study), TimeSpan.FromSeconds(10)));
            if (progress.IsSettled || DateTime.UtcNow > deadline)
            {
                return progress;
            }
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Unfinished_studies_are_found_in_the_journal_without_recovering_any()
    {
        await using (var node = await ClusterNode.StartAsync(Options(slots: 2), Timeout))
        {
            Assert.Empty(await StudyJournal.UnfinishedStudyIdsAsync(Store));
            await node.AskAsync(TestTrials.Start(TestTrials.Sweep("done")), Timeout);
            Assert.Equal(StudyPhase.Finished, (await WaitUntilSettled(node, "done")).Phase);
            await node.AskAsync(new InterruptStudy("halted"), Timeout);
        }
        await using (var node = await ClusterNode.StartAsync(Options(slots: 0), Timeout))
        {
            await node.AskAsync(TestTrials.Start(TestTrials.Sweep("waiting")), Timeout);
            await node.AskAsync(new InterruptStudy("waiting"), Timeout);
            await node.AskAsync(TestTrials.Start(TestTrials.Sweep("pending")), Timeout);
            Assert.Equal(["pending", "waiting"], (await StudyJournal.UnfinishedStudyIdsAsync(Store)).Order());
        }
    }

    [Fact]
    public async Task A_study_left_with_only_pending_trials_runs_when_a_coordinator_starts_again_without_being_asked()
    {
        // A coordinator alone: the study's trials stay pending; then the coordinator goes away.
        await using (var lonely = await ClusterNode.StartAsync(Options(slots: 0, ClusterRoles.Coordinator), Timeout))
        {
            await lonely.AskAsync(TestTrials.Start(TestTrials.Sweep("asleep")), Timeout);
        }

        // A new node on the same store is sent no message about the study, yet finishes it.
        await using var node = await ClusterNode.StartAsync(Options(slots: 2), Timeout);
        var deadline = DateTime.UtcNow + Timeout;
        while (await StudyJournal.UnfinishedStudyIdsAsync(Store) is { Count: > 0 } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
        Assert.Empty(await StudyJournal.UnfinishedStudyIdsAsync(Store));
        Assert.Equal(4, (await WaitUntilSettled(node, "asleep")).Completed);
    }

    [Fact]
    public async Task A_finished_study_passivates_and_the_next_message_recovers_it()
    {
        await using var node = await ClusterNode.StartAsync(Options(slots: 2), Timeout);
        await node.AskAsync(TestTrials.Start(TestTrials.Sweep("sleepy")), Timeout);
        Assert.Equal(StudyPhase.Finished, (await WaitUntilSettled(node, "sleepy")).Phase);

        var deadline = DateTime.UtcNow + Timeout;
        while (await Entities(node) is var entities && entities.Contains("sleepy") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
        Assert.DoesNotContain("sleepy", await Entities(node));

        var woken = Assert.IsType<StudyProgress>(await node.AskAsync(new GetStudyProgress("sleepy"), Timeout));
        Assert.Equal((StudyPhase.Finished, 4), (woken.Phase, woken.Completed));
    }

    private static async Task<HashSet<string>> Entities(ClusterNode node)
    {
        var state = await node.Studies.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Timeout);
        return state.Shards.SelectMany(s => s.EntityIds).ToHashSet();
    }
}
