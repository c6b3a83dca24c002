using SweepCluster.Worker;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Cluster.Work;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Tests;

/// <summary>A one-node cluster (coordinator and worker in one actor system) on a SQLite file, as `sweepcluster run` uses it.</summary>
[Trait("Category", "Cluster")]
public sealed class InProcessClusterTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-cluster-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private NodeOptions Options(ITrialExecutor? executor = null, int slots = 2) => new(
        [ClusterRoles.Coordinator, ClusterRoles.Worker], "127.0.0.1", 0, null, [], slots,
        StoreOptions.Sqlite(Path.Combine(_folder, "store.db")), TimeSpan.FromSeconds(30), executor ?? new EngineTrialExecutor());

    private static async Task<StudyStatus> WaitUntilSettled(ClusterNode node, string study)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var status = Assert.IsType<StudyStatus>(await node.AskAsync(new GetStudyStatus(study), TimeSpan.FromSeconds(10)));
            if (status.IsSettled || DateTime.UtcNow > deadline)
            {
                return status;
            }
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_study_runs_to_completion_on_a_one_node_cluster()
    {
        await using var node = await ClusterNode.StartAsync(Options(), Timeout);
        var sweep = TestTrials.Sweep("complete", seeds: 2);
        var started = Assert.IsType<StudyStarted>(await node.AskAsync(TestTrials.Start(sweep), Timeout));
        Assert.Equal(8, started.TrialsAdded);

        var status = await WaitUntilSettled(node, "complete");
        Assert.Equal(StudyPhase.Finished, status.Phase);
        Assert.Equal(8, status.Completed);
        // Steps 0, 5, ..., 40: every checkpoint of every trial recorded once.
        Assert.All(status.Trials, t => Assert.Equal((9L, 40L), (t.CheckpointCount, t.LastStep)));
        Assert.Equal(4, status.Best.Count);
    }

    [Fact]
    public async Task A_started_coordinator_node_has_its_journal_ready_and_has_written_nothing_to_it()
    {
        await using var node = await ClusterNode.StartAsync(Options(), Timeout);

        // The first study need not wait for the journal to start: its tables exist before anything is submitted.
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_folder, "store.db")}");
        connection.Open();
        using var tables = connection.CreateCommand();
        tables.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var names = new List<string>();
        using (var reader = tables.ExecuteReader())
        {
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }
        Assert.Contains("journal", names);
        Assert.Contains("snapshot", names);
        using var rows = connection.CreateCommand();
        rows.CommandText = "SELECT COUNT(*) FROM journal";
        Assert.Equal(0L, (long)rows.ExecuteScalar()!);
    }

    [Fact]
    public async Task A_failing_trial_is_retried_then_failed_while_the_others_complete()
    {
        var sweep = TestTrials.Sweep("failing");
        var doomed = sweep.Trials.First(t => t.Spec.Algorithm == AlgorithmKind.Sign).Id;
        var executor = new FailingExecutor(TrialJson.Serialize(sweep.Trials.Single(t => t.Id == doomed).Spec));
        await using var node = await ClusterNode.StartAsync(Options(executor), Timeout);
        await node.AskAsync(TestTrials.Start(sweep), Timeout);

        var status = await WaitUntilSettled(node, "failing");
        Assert.Equal(StudyPhase.Finished, status.Phase);
        Assert.Equal(3, status.Completed);
        var failed = Assert.Single(status.Trials, t => t.Status == TrialStatus.Failed);
        Assert.Equal(doomed, failed.TrialId);
        Assert.Equal(3, failed.Attempt);
        Assert.Contains("injected failure", failed.Reason);
        Assert.Equal(3, executor.Failures);
    }

    [Fact]
    public async Task A_resent_batch_is_kept_once()
    {
        var sweep = TestTrials.Sweep("resent");
        // No worker slots: trials stay pending until this test assigns one by hand.
        await using var node = await ClusterNode.StartAsync(Options(slots: 0), Timeout);
        await node.AskAsync(TestTrials.Start(sweep), Timeout);
        var assigned = Assert.IsType<TrialsAssigned>(await node.AskAsync(new RequestWork("resent", 1, "test-node"), Timeout));
        var trial = Assert.Single(assigned.Trials);

        var batch = new CheckpointBatch("resent", trial.TrialId, trial.Attempt, 0, [TestTrials.At(0), TestTrials.At(5)]);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(new BatchAck("resent", trial.TrialId, trial.Attempt, 0), await node.AskAsync(batch, Timeout));
        }
        var status = Assert.IsType<StudyStatus>(await node.AskAsync(new GetStudyStatus("resent"), Timeout));
        Assert.Equal(2, status.Trials.Single(t => t.TrialId == trial.TrialId).CheckpointCount);
    }

    [Fact]
    public async Task Restarting_on_the_same_store_recovers_the_study_from_the_journal()
    {
        var sweep = TestTrials.Sweep("recover");
        StudyStatus before;
        await using (var node = await ClusterNode.StartAsync(Options(), Timeout))
        {
            await node.AskAsync(TestTrials.Start(sweep), Timeout);
            before = await WaitUntilSettled(node, "recover");
            Assert.Equal(StudyPhase.Finished, before.Phase);
        }
        await using (var node = await ClusterNode.StartAsync(Options(), Timeout))
        {
            var after = Assert.IsType<StudyStatus>(await node.AskAsync(new GetStudyStatus("recover"), Timeout));
            Assert.Equal(before.Phase, after.Phase);
            Assert.Equal(
                before.Trials.Select(t => (t.TrialId, t.Status, t.CheckpointCount, t.Latest)),
                after.Trials.Select(t => (t.TrialId, t.Status, t.CheckpointCount, t.Latest)));
        }
    }

    [Fact]
    public async Task An_interrupted_study_saves_running_trials_and_resumes_them_to_the_same_results()
    {
        var sweep = TestTrials.Sweep("interrupt", steps: 20000);
        await using var node = await ClusterNode.StartAsync(Options(new SlowExecutor()), Timeout);
        await node.AskAsync(TestTrials.Start(sweep), Timeout);
        // Interrupted once a state was recorded (not after a fixed delay: on a fast machine the whole study
        // finished in less than the 1.5 s the test used to wait).
        while (Assert.IsType<StudyStatus>(await node.AskAsync(new GetStudyStatus("interrupt"), Timeout)).Trials.All(t => t.LastStep < 2000))
        {
            await Task.Delay(50);
        }
        await node.AskAsync(new InterruptStudy("interrupt"), Timeout);
        var interrupted = await WaitUntilSettled(node, "interrupt");
        Assert.Equal(StudyPhase.Interrupted, interrupted.Phase);
        Assert.True(interrupted.Running == 0, string.Join("; ", interrupted.Trials.Where(t => t.Status == TrialStatus.Running).Select(t => $"{t.TrialId} attempt {t.Attempt} step {t.LastStep} checkpoints {t.CheckpointCount}")));
        Assert.Contains(interrupted.Trials, t => t.LastStep > 0 && t.Status == TrialStatus.Pending);

        await node.AskAsync(new ResumeStudy("interrupt"), Timeout);
        var finished = await WaitUntilSettled(node, "interrupt");
        Assert.Equal(StudyPhase.Finished, finished.Phase);
        Assert.All(finished.Trials, t => Assert.Equal((4001L, 20000L), (t.CheckpointCount, t.LastStep)));
    }

    [Fact]
    public async Task Progress_tells_trials_training_in_a_slot_from_those_queued_at_the_worker()
    {
        var gate = new GatedExecutor();
        await using var node = await ClusterNode.StartAsync(Options(gate, slots: 1), Timeout);
        await node.AskAsync(TestTrials.Start(TestTrials.Sweep("queued")), Timeout);

        // One slot: the worker trains one trial and holds at least one more in its queue, to cover a round trip.
        var deadline = DateTime.UtcNow + Timeout;
        StudyProgress progress;
        do
        {
            await Task.Delay(100);
            progress = Assert.IsType<StudyProgress>(await node.AskAsync(new GetStudyProgress("queued"), Timeout));
        }
        while (!(progress.Training == 1 && progress.Queued >= 1) && DateTime.UtcNow < deadline);
        Assert.Equal(1, progress.Training);
        Assert.InRange(progress.Queued, 1, 3);
        Assert.Equal(4, progress.Training + progress.Queued + progress.Pending);

        gate.Open();
        var status = await WaitUntilSettled(node, "queued");
        Assert.Equal(4, status.Completed);
    }

    /// <summary>Trains once opened; until then every trial it is given waits in its slot.</summary>
    private sealed class GatedExecutor : ITrialExecutor
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public TrialOutcome Execute(TrialSpec spec, byte[]? resumeFrom, ITrialProgress observer, TimeSpan saveStateInterval, CancellationToken cancellation)
        {
            _open.Task.Wait(cancellation);
            return new EngineTrialExecutor().Execute(spec, resumeFrom, observer, saveStateInterval, cancellation);
        }
    }

    /// <summary>Throws for one trial; trains the others.</summary>
    private sealed class FailingExecutor(string doomedSpec) : ITrialExecutor
    {
        private int _failures;

        public int Failures => _failures;

        public TrialOutcome Execute(TrialSpec spec, byte[]? resumeFrom, ITrialProgress observer, TimeSpan saveStateInterval, CancellationToken cancellation)
        {
            if (TrialJson.Serialize(spec) == doomedSpec)
            {
                Interlocked.Increment(ref _failures);
                throw new InvalidOperationException("injected failure");
            }
            return new EngineTrialExecutor().Execute(spec, resumeFrom, observer, saveStateInterval, cancellation);
        }
    }

    /// <summary>The engine, saving its state often, so an interruption finds states to resume from.</summary>
    private sealed class SlowExecutor : ITrialExecutor
    {
        public TrialOutcome Execute(TrialSpec spec, byte[]? resumeFrom, ITrialProgress observer, TimeSpan saveStateInterval, CancellationToken cancellation) =>
            new EngineTrialExecutor().Execute(spec, resumeFrom, observer, TimeSpan.FromMilliseconds(200), cancellation);
    }
}
