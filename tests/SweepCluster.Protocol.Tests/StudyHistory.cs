using SweepCluster.Protocol.Scheduling;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Tests;

/// <summary>A study's journal with every kind of event, made by the decider: the source of the golden fixtures.</summary>
internal static class StudyHistory
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static List<IStudyEvent> Events()
    {
        var sweep = Sweeps.SweepReader.Parse("""
            study: golden
            description: every kind of event
            dataset: {kind: synthetic, n: 30, dim: 5, margin: 0.3, seed: 1}
            model: {depth: 2, width: 8}
            algorithm: gd
            steps: 40
            checkpoint_every: 10
            max_retries: 0
            grid:
              lr: [0.1, 0.2, 0.3]
              seed: [0, 1]
            """, "golden.yaml");
        var scheduler = new SchedulerSettings(SchedulerKind.Asha, "margin_l2", Goal.Max, 10, 3, 10, 0.95);
        var journal = new List<IStudyEvent>();
        var state = StudyState.Empty("golden");
        var clock = Start;
        void Do(IEnumerable<IStudyEvent> events)
        {
            foreach (var e in events)
            {
                journal.Add(e);
                state = state.Apply(e);
            }
            clock = clock.AddSeconds(1);
        }
        Checkpoint At(long step, double margin) => new(step, 1.0 / (step + 1), 1, 0.9, 1, 2, 3, margin / 2, margin, margin * 2, margin / 3, margin / 1.5, margin * 1.5, step * 10.0);

        Do(state.Start(new StartStudy("golden", sweep.Description, sweep.MaxRetries, [.. sweep.Trials.Select(t => new TrialDefinition(t.Id, TrialJson.Serialize(t.Spec)))], Scheduler: scheduler), clock).Events);
        var t = state.Trials.Values.OrderBy(r => r.Ordinal).Select(r => r.TrialId).ToList();
        Do(state.Assign(new RequestWork("golden", 6, "node-a"), clock));
        Do(state.Record(new CheckpointBatch("golden", t[0], 1, 0, [At(0, -0.5), At(10, 1.0)]), clock));
        Do(state.SaveState(new StateComplete("golden", t[0], 1, 10, 10, 1, 100)));
        Do(state.Record(new CheckpointBatch("golden", t[1], 1, 0, [At(0, -0.5), At(10, 1.1)]), clock));
        Do(state.Record(new CheckpointBatch("golden", t[2], 1, 0, [At(0, -0.5), At(10, 0.1)]), clock));
        Do(state.Record(new CheckpointBatch("golden", t[3], 1, 0, [At(0, -0.5), At(10, 0.11)]), clock));
        Do(state.Crash(new TrialCrashed("golden", t[4], 1, "InvalidOperationException: out of memory"), clock));
        Do(state.ReleaseLost(node => false, "worker node left", clock));
        Do(state.Interrupt(clock));
        Do(state.Resume(clock));
        Do(state.Assign(new RequestWork("golden", 6, "node-b"), clock));
        Do(state.Finish(new TrialFinished("golden", t[0], 2, TrialEnd.Completed, 40, 10, At(40, 2.0), null, [At(20, 1.5), At(30, 1.8), At(40, 2.0)]), clock));
        Do(state.Finish(new TrialFinished("golden", t[1], 2, TrialEnd.LossThreshold, 30, 10, At(30, 1.9), "loss below 0.01", [At(20, 1.6), At(30, 1.9)]), clock));
        Do(state.Finish(new TrialFinished("golden", t[5], 2, TrialEnd.Diverged, 20, null, At(20, double.NaN) with { Loss = double.PositiveInfinity, MarginL2 = null }, "loss is infinite", [At(10, 0.5), At(20, 0.4)]), clock));
        return journal;
    }

    /// <summary>A FIFO study of two trials run to the end.</summary>
    public static List<IStudyEvent> FifoEvents()
    {
        var sweep = TestTrials.Sweep("golden");
        var journal = new List<IStudyEvent>();
        var state = StudyState.Empty("golden");
        void Do(IEnumerable<IStudyEvent> events)
        {
            foreach (var e in events)
            {
                journal.Add(e);
                state = state.Apply(e);
            }
        }
        Do(state.Start(TestTrials.Start(sweep), Start).Events);
        Do(state.Assign(new RequestWork("golden", 8, "node-a"), Start));
        foreach (var trial in state.Trials.Values.OrderBy(t => t.Ordinal).ToList())
        {
            Do(state.Record(new CheckpointBatch("golden", trial.TrialId, 1, 0, [TestTrials.At(0), TestTrials.At(5)]), Start));
            Do(state.Finish(new TrialFinished("golden", trial.TrialId, 1, TrialEnd.Completed, 40, 5, TestTrials.At(40), null, [TestTrials.At(40)]), Start));
        }
        return journal;
    }
}
