using SweepCluster.Protocol.Scheduling;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Tests;

/// <summary>
/// A study driven through the real decider with made-up training curves whose best configuration is
/// known: each configuration has a true final margin, each seed an offset around it, each checkpoint a
/// little noise; before a configuration fits its data (at a step that differs by configuration) its
/// margin is negative and its loss falls. Trials run on a fixed number of slots, a checkpoint per tick; a
/// trial the scheduler holds pauses at once and later resumes where it stopped.
/// </summary>
public sealed class SimulatedStudy
{
    public sealed record Outcome(int ChosenConfiguration, int TrueBest, bool TrueBestLostASeed, bool TrueBestLostAllSeeds, long StepsTrained, long FullGridSteps);

    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    public required int Configurations { get; init; }

    public required int Seeds { get; init; }

    public int Steps { get; init; } = 810;

    public int CheckpointEvery { get; init; } = 10;

    public int Slots { get; init; } = 8;

    /// <summary>Spread of the seeds of one configuration around its true margin, against a 1.0 gap between neighbouring configurations.</summary>
    public double SeedSpread { get; init; } = 1.0;

    public double StepNoise { get; init; } = 0.2;

    public Outcome Run(SchedulerSettings? scheduler, int seed)
    {
        var random = new Random(seed);
        var quality = Enumerable.Range(0, Configurations).Select(_ => random.NextDouble() * Configurations).ToArray();
        var fitStep = Enumerable.Range(0, Configurations).Select(_ => random.Next(10, 60)).ToArray();
        var maxSeeds = Math.Max(Seeds, scheduler?.MaxSeeds ?? 0);
        var offset = new double[Configurations, maxSeeds];
        for (var c = 0; c < Configurations; c++)
        {
            for (var s = 0; s < Seeds; s++)
            {
                offset[c, s] = Gaussian(random) * SeedSpread;
            }
        }
        // Seeds the scheduler may add are drawn apart, so the sweep's own seeds are the same with or without them.
        var extra = new Random(seed + 7919);
        for (var c = 0; c < Configurations; c++)
        {
            for (var s = Seeds; s < maxSeeds; s++)
            {
                offset[c, s] = Gaussian(extra) * SeedSpread;
            }
        }
        var trueBest = Array.IndexOf(quality, quality.Max());

        var definitions = new List<TrialDefinition>();
        var index = new Dictionary<string, (int Config, int Seed)>();
        for (var c = 0; c < Configurations; c++)
        {
            for (var s = 0; s < Seeds; s++)
            {
                var spec = Spec(0.001 * (c + 1), s);
                var id = TrialJson.StableId(spec);
                definitions.Add(new TrialDefinition(id, TrialJson.Serialize(spec)));
                index[id] = (c, s);
            }
        }
        var state = StudyState.Empty("sim");
        state = Apply(state, state.Start(new StartStudy("sim", null, 0, definitions, Scheduler: scheduler), Now).Events);

        // A paused trial resumes where it stopped, as from the state its worker saved.
        var reached = definitions.ToDictionary(d => d.TrialId, _ => -(long)CheckpointEvery);
        (int Config, int Seed) Locate(string id)
        {
            if (!index.TryGetValue(id, out var at))
            {
                // A seed the scheduler added: its configuration is its learning rate.
                var trial = state.Trials[id];
                at = index[id] = ((int)Math.Round(trial.Lr / 0.001) - 1, trial.Seed);
                reached[id] = -CheckpointEvery;
            }
            return at;
        }
        var running = new Dictionary<string, (int Attempt, long? PauseAt)>();
        while (state.Phase == StudyPhase.Running)
        {
            if (running.Count == 0 && state.Pending.IsEmpty)
            {
                var held = state.Trials.Values.Where(t => t.Status == TrialStatus.Pending).Select(t => $"{t.TrialId} held at {t.HeldAt}");
                var waiting = state.Configurations!.Where(c => c.Value.WaitingAt is not null).Select(c => $"{c.Key} waits at {c.Value.WaitingAt} (promoted through {c.Value.JudgedThrough})");
                var blocking = state.Configurations!.Where(c => !c.Value.Stopped && c.Value.WaitingAt is null).Select(c => $"{c.Key} through {c.Value.JudgedThrough}: " + string.Join(",", c.Value.TrialIds.Select(t => $"{state.Trials[t].Status}@{state.Trials[t].LastStep} rungs {string.Join("/", state.Trials[t].Rungs!.Select(r => r.Rung))} held {state.Trials[t].HeldAt}")));
                throw new InvalidOperationException($"the study stalled: nothing runs or waits in the queue; {string.Join("; ", held)}; {string.Join("; ", waiting)}; others: {string.Join("; ", blocking)}");
            }
            if (running.Count < Slots)
            {
                foreach (var assigned in state.Assign(new RequestWork("sim", Slots - running.Count, "node"), Now).Cast<TrialAssigned>().ToList())
                {
                    state = state.Apply(assigned);
                    running[assigned.TrialId] = (assigned.Attempt, state.PauseAt(assigned.TrialId));
                }
            }
            foreach (var (id, (attempt, pauseAt)) in running.ToList())
            {
                var trial = state.Trials[id];
                if (trial.Status != TrialStatus.Running)
                {
                    running.Remove(id);
                    continue;
                }
                // Paused by the scheduler, or at the rung it was told to pause at, as a worker does.
                Locate(id);
                if (trial.HeldAt is not null || reached[id] >= pauseAt)
                {
                    state = Apply(state, state.Finish(new TrialFinished("sim", id, attempt, TrialEnd.Cancelled, reached[id], null, null, "paused", []), Now));
                    running.Remove(id);
                    continue;
                }
                var (c, s) = Locate(id);
                var step = reached[id] + CheckpointEvery;
                var checkpoint = Checkpoint(step, quality[c] + offset[c, s], fitStep[c], StepNoise, random);
                state = step >= Steps
                    ? Apply(state, state.Finish(new TrialFinished("sim", id, attempt, TrialEnd.Completed, step, fitStep[c], checkpoint, null, [checkpoint]), Now))
                    : Apply(state, state.Record(new CheckpointBatch("sim", id, attempt, trial.NextBatch, [checkpoint]), Now));
                reached[id] = step;
            }
        }

        var trials = state.Trials.Values.Select(t => (Trial: t, Locate(t.TrialId).Config)).ToList();
        var completed = trials.Where(t => t.Trial.Status == TrialStatus.Completed).ToList();
        // Replicate groups: the configuration whose seeds all finished with the best mean. One trial at a
        // time: the configuration of the best trial that finished, which is what a per-trial tool reports.
        var chosen = scheduler?.Unit == ScheduleUnit.Trial
            ? completed.MaxBy(t => t.Trial.Latest!.MarginL2)!.Config
            : completed.GroupBy(t => t.Config).Where(g => g.Count() >= Seeds && trials.All(t => t.Config != g.Key || t.Trial.Status == TrialStatus.Completed)).MaxBy(g => g.Average(t => t.Trial.Latest!.MarginL2))!.Key;
        var best = trials.Where(t => t.Config == trueBest).ToList();
        var bestPruned = best.Count(t => t.Trial.Status == TrialStatus.Pruned);
        return new Outcome(chosen, trueBest, bestPruned > 0, bestPruned > 0 && bestPruned == best.Count, reached.Values.Sum(r => Math.Max(r, 0)), (long)Configurations * Seeds * Steps);
    }

    private static Checkpoint Checkpoint(long step, double finalMargin, int fitStep, double stepNoise, Random random)
    {
        var fit = step >= fitStep;
        var loss = Math.Exp(-step / 100.0);
        var margin = fit ? finalMargin * (1 - Math.Exp(-(step - fitStep) / 150.0)) + (stepNoise * Gaussian(random)) : -1 + (0.1 * Gaussian(random));
        return new Checkpoint(step, loss, fit ? 1 : 0.9, null, 1, 1, 1, margin, margin, margin, margin, margin, margin, 0);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private TrialSpec Spec(double lr, int seed) => new(
        new SyntheticDatasetSpec(10, 3, 0.1, 0, 0), new ModelSpec(2, 8, InitKind.Normal, 0.01), LossKind.Exponential,
        Reduction.Sum, AlgorithmKind.Gd, lr, StepForm.Dual, LrSchedule.Constant, null, null, null, Steps, CheckpointEvery,
        new StopSpec(0, null), seed, 1);

    private static StudyState Apply(StudyState state, IEnumerable<IStudyEvent> events) => events.Aggregate(state, (s, e) => s.Apply(e));
}
