using Akka.Actor;
using SweepCluster.Worker;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Cluster.Work;
using SweepCluster.Training;
using SweepCluster.Training.State;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Tests;

/// <summary>
/// Every assignment has a lease: a trial is never stuck running, whatever was lost on the way. Each test
/// injects one fault on a one-node cluster whose leases last 3 s.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class LeaseTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-lease-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private NodeOptions Options(int slots, ITrialExecutor? executor = null, ITrainingStateStore? states = null)
    {
        var store = StoreOptions.Sqlite(Path.Combine(_folder, "store.db"));
        return new NodeOptions([ClusterRoles.Coordinator, ClusterRoles.Worker], "127.0.0.1", 0, null, [], slots, store, TimeSpan.FromMilliseconds(200), executor ?? new EngineTrialExecutor())
        {
            Coordinator = CoordinatorSettings.Default with { LeaseTimeout = TimeSpan.FromSeconds(3) },
            StateStore = states,
        };
    }

    private static async Task<StudyStatus> Status(ClusterNode node, string study) =>
        Assert.IsType<StudyStatus>(await node.AskAsync(new GetStudyStatus(study), Timeout));

    private static async Task<StudyStatus> WaitFor(ClusterNode node, string study, Func<StudyStatus, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var status = await Status(node, study);
            if (condition(status))
            {
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}: {string.Join("; ", status.Trials.Select(t => $"{t.TrialId} {t.Status} attempt {t.Attempt} step {t.LastStep} ({t.Reason})"))}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task An_assignment_the_worker_never_receives_expires_and_goes_back_to_pending()
    {
        // No training slots: this test plays a worker whose TrialsAssigned is lost.
        await using var node = await ClusterNode.StartAsync(Options(slots: 0), Timeout);
        await node.AskAsync(TestTrials.Start(TestTrials.Sweep("dropped")), Timeout);
        var assigned = Assert.IsType<TrialsAssigned>(await node.AskAsync(new RequestWork("dropped", 1, "a-worker-that-never-got-it"), Timeout));
        var trial = Assert.Single(assigned.Trials).TrialId;
        Assert.Equal(TrialStatus.Running, (await Status(node, "dropped")).Trials.Single(t => t.TrialId == trial).Status);

        var released = await WaitFor(node, "dropped", s => s.Trials.Single(t => t.TrialId == trial).Status == TrialStatus.Pending, "the lease to expire");
        Assert.Contains("lease expired", released.Trials.Single(t => t.TrialId == trial).Reason);
    }

    [Fact]
    public async Task A_confirmed_assignment_keeps_its_lease_and_a_stale_attempt_is_told_to_stop()
    {
        await using var node = await ClusterNode.StartAsync(Options(slots: 0), Timeout);
        await node.AskAsync(TestTrials.Start(TestTrials.Sweep("confirmed")), Timeout);
        var trial = Assert.Single(Assert.IsType<TrialsAssigned>(await node.AskAsync(new RequestWork("confirmed", 1, "w"), Timeout)).Trials);
        var inbox = Inbox.Create(node.System);

        // Confirmed every second for twice the lease: still running.
        for (var i = 0; i < 6; i++)
        {
            inbox.Send(node.Studies, new ConfirmAttempts("confirmed", "w", [new AttemptRef(trial.TrialId, trial.Attempt)]));
            await Task.Delay(1000);
        }
        Assert.Equal(TrialStatus.Running, (await Status(node, "confirmed")).Trials.Single(t => t.TrialId == trial.TrialId).Status);

        // An attempt the coordinator does not run (an older one) is answered with a stop.
        inbox.Send(node.Studies, new ConfirmAttempts("confirmed", "w", [new AttemptRef(trial.TrialId, trial.Attempt + 5)]));
        Assert.Equal(new StopAttempt("confirmed", trial.TrialId, trial.Attempt + 5), await inbox.ReceiveAsync(Timeout));
    }

    [Fact]
    public async Task Trials_of_a_worker_actor_that_restarted_expire_and_run_again_to_completion()
    {
        var sweep = TestTrials.Sweep("restarted", steps: 20000);
        await using var node = await ClusterNode.StartAsync(Options(slots: 2), Timeout);
        await node.AskAsync(TestTrials.Start(sweep), Timeout);
        await WaitFor(node, "restarted", s => s.Trials.Any(t => t.Status == TrialStatus.Running && t.LastStep > 0), "a trial to train");

        // The worker actor restarts: its trial actors are stopped with it, and the new one knows nothing of them.
        ((IInternalActorRef)node.Worker!).Restart(new InvalidOperationException("injected restart"));

        var again = await WaitFor(node, "restarted", s => s.Trials.Any(t => t.Attempt > 1), "a second attempt");
        var finished = await WaitFor(node, "restarted", s => s.IsSettled, "the study to finish");
        Assert.Equal(StudyPhase.Finished, finished.Phase);
        Assert.All(finished.Trials, t => Assert.Equal((TrialStatus.Completed, 4001L, 20000L), (t.Status, t.CheckpointCount, t.LastStep)));
        Assert.Contains(finished.Trials, t => t.Attempt > 1);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task A_state_that_fails_to_load_hands_the_trial_back_and_it_resumes_once_the_store_answers()
    {
        var states = new FailingLoads(new TrainingStateStore(StoreOptions.Sqlite(Path.Combine(_folder, "store.db"))));
        var sweep = TestTrials.Sweep("unloadable", steps: 20000);
        await using var node = await ClusterNode.StartAsync(Options(slots: 2, states: states), Timeout);
        await node.AskAsync(TestTrials.Start(sweep), Timeout);
        await WaitFor(node, "unloadable", s => s.Trials.Any(t => t.LastStep >= 2000), "a trial to save some state");
        await node.AskAsync(new InterruptStudy("unloadable"), Timeout);
        var interrupted = await WaitFor(node, "unloadable", s => s.IsSettled, "the interruption");
        Assert.Contains(interrupted.Trials, t => t.Status == TrialStatus.Pending && t.LastStep > 0);

        states.Failing = true;
        await node.AskAsync(new ResumeStudy("unloadable"), Timeout);
        // Each attempt that cannot load its state hands the trial back (not counted as a failure) and it is
        // assigned again; none trains, since none has its state.
        var before = interrupted.Trials.ToDictionary(t => t.TrialId);
        var handedBack = await WaitFor(node, "unloadable", s => s.Trials.Where(t => before[t.TrialId].LastStep > 0).All(t => t.Attempt >= before[t.TrialId].Attempt + 3), "failed loads to hand their trials back");
        Assert.DoesNotContain(handedBack.Trials, t => t.Status == TrialStatus.Failed);
        Assert.All(handedBack.Trials.Where(t => before[t.TrialId].LastStep > 0), t => Assert.Equal(before[t.TrialId].LastStep, t.LastStep));

        states.Failing = false;
        var finished = await WaitFor(node, "unloadable", s => s.IsSettled, "the study to finish");
        Assert.Equal(StudyPhase.Finished, finished.Phase);
        Assert.All(finished.Trials, t => Assert.Equal((TrialStatus.Completed, 4001L, 20000L), (t.Status, t.CheckpointCount, t.LastStep)));
    }

    /// <summary>The real store, whose loads fail while <see cref="Failing"/> is set: a database that cannot be read.</summary>
    private sealed class FailingLoads(ITrainingStateStore inner) : ITrainingStateStore
    {
        public volatile bool Failing;

        public Task SaveChunkAsync(string studyId, string trialId, int attempt, long atStep, int index, byte[] bytes, CancellationToken cancellation = default) =>
            inner.SaveChunkAsync(studyId, trialId, attempt, atStep, index, bytes, cancellation);

        public Task<(int Count, long Length)> MeasureAsync(string studyId, string trialId, int attempt, long atStep, CancellationToken cancellation = default) =>
            inner.MeasureAsync(studyId, trialId, attempt, atStep, cancellation);

        public Task<(byte[] Bytes, int Count)?> LoadChunkAsync(string studyId, string trialId, long atStep, int index, CancellationToken cancellation = default) =>
            Failing ? Task.FromException<(byte[] Bytes, int Count)?>(new IOException("injected: the store cannot be read")) : inner.LoadChunkAsync(studyId, trialId, atStep, index, cancellation);

        public Task DeleteOthersAsync(string studyId, string trialId, long atStep, CancellationToken cancellation = default) =>
            inner.DeleteOthersAsync(studyId, trialId, atStep, cancellation);
    }
}
