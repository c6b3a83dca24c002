using System.Collections.Immutable;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Scheduling;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Study;

/// <summary>A configuration's trials (its seeds) and how far the scheduler has judged it.</summary>
public sealed record ConfigurationState(ImmutableList<string> TrialIds, long JudgedThrough, bool Stopped);

/// <summary>
/// The scheduler seam of the study's decider. A study with a scheduler records, for each trial, its
/// values at the rungs (in <see cref="Apply"/>, from the checkpoints it stores), and after each write that
/// records checkpoints or ends a trial it judges that trial's configuration at every rung its seeds have
/// now all reached. The judgements are events (<see cref="RungJudged"/>, <see cref="TrialPruned"/>)
/// written with the checkpoints that caused them, so a recovered coordinator replays them and never
/// judges a rung twice. Without a scheduler nothing here runs: FIFO.
/// </summary>
public sealed partial record StudyState
{
    private string? SchedulerConflict(SchedulerSettings? requested)
    {
        var wanted = requested is { Stops: true } ? requested : null;
        return wanted == Scheduler
            ? null
            : $"the study was created with scheduler {Describe(Scheduler)}, the sweep asks for {Describe(wanted)}; a study keeps its scheduler. Use another study name.";

        static string Describe(SchedulerSettings? s) => s is null ? "fifo" : $"{s.Kind.ToString().ToLowerInvariant()} on {s.Metric}";
    }

    /// <summary>
    /// Where a pending trial waits: FIFO in the sweep's order; with a scheduler, configurations in an order
    /// shuffled by their id, each with its seeds together (so they reach each rung together). A scheduler
    /// judges a configuration against those that reached the rung before it: in the grid's own order, a
    /// trend along an axis (a growing learning rate) would make every newcomer look like the best so far.
    /// </summary>
    private long QueuePosition(TrialRecord trial) =>
        Scheduler is null ? trial.Ordinal : ((long)uint.Parse(trial.ConfigurationId.AsSpan(trial.ConfigurationId.Length - 8), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) << 32) | (uint)trial.Ordinal;

    private static ImmutableDictionary<string, ConfigurationState> Join(ImmutableDictionary<string, ConfigurationState> configurations, TrialRecord trial)
    {
        var id = trial.ConfigurationId;
        var existing = configurations.GetValueOrDefault(id) ?? new ConfigurationState([], 0, false);
        return configurations.SetItem(id, existing with { TrialIds = existing.TrialIds.Add(trial.TrialId) });
    }

    /// <summary>Records the rungs these checkpoints reach: each rung takes the first checkpoint at or after its step.</summary>
    private TrialRecord Observe(TrialRecord trial, IReadOnlyList<Checkpoint> checkpoints)
    {
        if (Scheduler is null || checkpoints.Count == 0)
        {
            return trial;
        }
        var metric = MetricRegistry.Get(Scheduler.Metric);
        var rungs = trial.Rungs ?? [];
        foreach (var rung in Scheduler.Rungs(trial.Steps))
        {
            if (trial.At(rung) is not null)
            {
                continue;
            }
            var at = checkpoints.FirstOrDefault(c => c.Step >= rung);
            if (at is null)
            {
                break;
            }
            rungs = rungs.Add(Observation(rung, at, metric));
        }
        return trial with { Rungs = rungs };
    }

    /// <summary>A trial that ended before a rung (loss threshold, divergence) stands at it with its last checkpoint.</summary>
    private TrialRecord ObserveEnd(TrialRecord trial)
    {
        if (Scheduler is null || trial.Latest is not { } last)
        {
            return trial;
        }
        var metric = MetricRegistry.Get(Scheduler.Metric);
        var rungs = trial.Rungs ?? [];
        foreach (var rung in Scheduler.Rungs(trial.Steps).Where(r => trial.At(r) is null))
        {
            rungs = rungs.Add(trial.End == TrialEnd.Diverged ? new RungObservation(rung, last.Step, null, double.PositiveInfinity, false) : Observation(rung, last, metric));
        }
        return trial with { Rungs = rungs };
    }

    private static RungObservation Observation(long rung, Checkpoint at, Metric metric) =>
        new(rung, at.Step, metric.Finite(at), at.Loss, at.TrainAccuracy >= 1);

    /// <summary>The events, followed by the judgements they make due for <paramref name="configuration"/>.</summary>
    private List<IStudyEvent> WithSchedule(List<IStudyEvent> events, string configuration, DateTimeOffset now)
    {
        if (Scheduler is null || events.Count == 0)
        {
            return events;
        }
        var after = events.Aggregate(this, (s, e) => s.Apply(e));
        events.AddRange(after.Judge(configuration, now));
        return events;
    }

    private List<IStudyEvent> Judge(string configuration, DateTimeOffset now)
    {
        var scheduler = Scheduler!;
        var state = Configurations![configuration];
        var seeds = Seeds(state).ToList();
        var judged = new List<IStudyEvent>();
        if (state.Stopped || seeds.Count == 0)
        {
            return judged;
        }
        foreach (var rung in scheduler.Rungs(seeds[0].Steps).Where(r => r > state.JudgedThrough))
        {
            if (seeds.Any(t => t.At(rung) is null))
            {
                break;
            }
            var verdict = RungJudge.Judge(scheduler, rung, configuration, Reached(rung));
            judged.Add(new RungJudged(configuration, rung, verdict.Continues, verdict.Evidence, now));
            if (!verdict.Continues)
            {
                judged.AddRange(state.TrialIds.Select(id => Trials[id]).Where(t => !t.IsTerminal)
                    .Select(t => new TrialPruned(t.TrialId, t.Status == TrialStatus.Running ? t.Attempt : 0, verdict.Evidence, now)));
                break;
            }
        }
        return judged;
    }

    /// <summary>The seeds that count: all but those that failed for good.</summary>
    private IEnumerable<TrialRecord> Seeds(ConfigurationState configuration) =>
        configuration.TrialIds.Select(id => Trials[id]).Where(t => t.Status != TrialStatus.Failed);

    /// <summary>Every configuration whose seeds have all reached the rung, with their observations there.</summary>
    private Dictionary<string, IReadOnlyList<RungObservation>> Reached(long rung)
    {
        var reached = new Dictionary<string, IReadOnlyList<RungObservation>>(StringComparer.Ordinal);
        foreach (var (id, configuration) in Configurations!)
        {
            var observations = Seeds(configuration).Select(t => t.At(rung)).ToList();
            if (observations.Count > 0 && observations.All(o => o is not null))
            {
                reached[id] = observations!;
            }
        }
        return reached;
    }
}
