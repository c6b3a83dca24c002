using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Scheduling;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Study;

/// <summary>
/// A configuration's trials (its seeds) and where the scheduler has it: promoted through
/// <see cref="JudgedThrough"/>, waiting at <see cref="WaitingAt"/>, running added seeds up to
/// <see cref="ReplicatingAt"/>, or stopped.
/// </summary>
public sealed record ConfigurationState(
    ImmutableList<string> TrialIds,
    long JudgedThrough,
    bool Stopped,
    long? WaitingAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ReplicatingAt = null);

/// <summary>
/// The scheduler seam of the study's decider. A study with a scheduler records each trial's values at the
/// rungs (in <see cref="Apply"/>, from the checkpoints it stores). After each write that records
/// checkpoints or ends a trial, it settles: a trial that reached a rung its configuration has not been
/// promoted past is held there (<see cref="TrialHeld"/>: its worker pauses it, saving its state), and a
/// configuration whose seeds have all reached its next rung is judged (<see cref="RungJudged"/>:
/// continue, wait, or stop with a <see cref="TrialPruned"/> per unfinished seed). The events are written
/// with the checkpoints that caused them, so a recovered coordinator replays them and never decides a
/// rung twice. Seeds of a configuration thus wait for each other at every rung, however few the slots.
/// Without a scheduler nothing here runs: FIFO, every trial to its end.
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

    private static ImmutableDictionary<string, ConfigurationState> Join(ImmutableDictionary<string, ConfigurationState> configurations, TrialRecord trial)
    {
        var id = trial.ConfigurationId;
        var existing = configurations.GetValueOrDefault(id) ?? new ConfigurationState([], 0, false);
        return configurations.SetItem(id, existing with { TrialIds = existing.TrialIds.Add(trial.TrialId) });
    }

    /// <summary>
    /// Where a pending trial waits. FIFO: the sweep's order. With a scheduler: trials of configurations
    /// promoted past a rung first (the highest rung first, as ASHA does), then the others in an order
    /// shuffled by their configuration's id, each configuration's seeds together. A configuration is
    /// ranked against those that reached a rung before it: in the grid's own order, a trend along an axis
    /// (a growing learning rate) would make every newcomer look like the best so far.
    /// </summary>
    private long QueueKey(TrialRecord trial)
    {
        if (Scheduler is null)
        {
            return trial.Ordinal;
        }
        // Seeds added to settle a straddling configuration run first: a decision waits for them.
        var configuration = Configurations![trial.ConfigurationId];
        var promotedThrough = Math.Max(configuration.JudgedThrough, configuration.ReplicatingAt ?? 0);
        if (promotedThrough > 0)
        {
            return trial.Ordinal - (promotedThrough << 20);
        }
        var id = trial.ConfigurationId;
        // 31 bits of the id's hash above the ordinal: positive, so behind every promoted trial.
        return ((long)(uint.Parse(id.AsSpan(id.Length - 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture) >> 1) << 32) | (uint)trial.Ordinal;
    }

    private StudyState Judged(RungJudged judged)
    {
        var configuration = Configurations![judged.Configuration];
        var state = this with
        {
            Configurations = Configurations.SetItem(judged.Configuration, judged.Decision switch
            {
                RungDecision.Continue => configuration with { JudgedThrough = judged.Rung, WaitingAt = null, ReplicatingAt = null },
                RungDecision.Wait => configuration with { WaitingAt = judged.Rung },
                RungDecision.Replicate => configuration with { WaitingAt = null, ReplicatingAt = judged.Rung },
                _ => configuration with { Stopped = true, WaitingAt = null, ReplicatingAt = null },
            }),
        };
        if (judged.Decision != RungDecision.Continue)
        {
            return state;
        }
        // Promoted: its seeds held at this rung go back to the queue (at its front) or, if their pause has
        // not taken effect yet, simply run on.
        foreach (var id in configuration.TrialIds)
        {
            if (state.Trials[id] is { HeldAt: { } at } held && at <= judged.Rung)
            {
                state = state.Update(id, t => t with { HeldAt = null });
                if (held.Status == TrialStatus.Pending)
                {
                    state = state.Update(id, t => t with { Reason = null }).Enqueue(id);
                }
            }
        }
        return state;
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
            rungs = rungs.Add(!trial.End.IsResult() ? new RungObservation(rung, last.Step, null, double.PositiveInfinity, false) : Observation(rung, last, metric));
        }
        return trial with { Rungs = rungs };
    }

    private static RungObservation Observation(long rung, Checkpoint at, Metric metric) =>
        new(rung, at.Step, metric.Finite(at), at.Loss, at.TrainAccuracy >= 1);

    /// <summary>The events, followed by the holds and judgements they make due.</summary>
    private List<IStudyEvent> WithSchedule(List<IStudyEvent> events, DateTimeOffset now)
    {
        if (Scheduler is null || events.Count == 0)
        {
            return events;
        }
        var state = events.Aggregate(this, (s, e) => s.Apply(e));
        void Add(IStudyEvent e)
        {
            events.Add(e);
            state = state.Apply(e);
        }
        var touched = events.Select(TrialOf).OfType<string>().Distinct().ToList();
        // A configuration can only come to a rung through its own trials' events; one that waits is judged
        // again when another reaches its rung (more are promoted) or one stops or fails (the rung may be final).
        var candidates = new SortedSet<string>(touched.Select(id => state.Trials[id].ConfigurationId), StringComparer.Ordinal);
        var rewaken = events.Any(e => e is TrialFailed { WillRetry: false });
        var rungs = new HashSet<long>();
        while (true)
        {
            // What this pass decides wakes waiting configurations in the next: a rung reached by one more
            // (more are promoted) or any stop (a rung may have become final).
            var nextRungs = new HashSet<long>();
            var nextRewaken = false;
            void Decide(string id, long rung, RungVerdict verdict)
            {
                Add(new RungJudged(id, rung, verdict.Decision, verdict.Evidence, now));
                nextRungs.Add(rung);
                candidates.Add(id);
                if (verdict.Decision == RungDecision.Stop)
                {
                    nextRewaken = true;
                    foreach (var trial in state.Configurations![id].TrialIds.Select(t => state.Trials[t]).Where(t => !t.IsTerminal).ToList())
                    {
                        Add(new TrialPruned(trial.TrialId, trial.Status == TrialStatus.Running ? trial.Attempt : 0, verdict.Evidence, now));
                    }
                }
                else if (verdict.Decision == RungDecision.Replicate)
                {
                    Add(new TrialsAdded(state.MoreSeeds(id), now, EngineVersion.Current));
                }
            }
            foreach (var id in candidates.ToList())
            {
                var configuration = state.Configurations![id];
                if (state.NextJudgement(configuration) is { } rung && configuration.WaitingAt != rung)
                {
                    Decide(id, rung, state.Judge(id, rung));
                }
            }
            foreach (var (id, configuration) in state.Configurations!.Where(c => c.Value.WaitingAt is { } at && (rewaken || rungs.Contains(at))).OrderBy(c => c.Key, StringComparer.Ordinal).ToList())
            {
                var rung = configuration.WaitingAt!.Value;
                if (state.Judge(id, rung) is { Decision: not RungDecision.Wait } verdict)
                {
                    Decide(id, rung, verdict);
                }
            }
            if (nextRungs.Count == 0)
            {
                break;
            }
            rungs = nextRungs;
            rewaken = nextRewaken;
        }

        // A running trial at a rung its configuration has not been promoted past pauses there.
        foreach (var id in candidates.SelectMany(c => state.Configurations![c].TrialIds).Distinct().ToList())
        {
            var trial = state.Trials[id];
            var configuration = state.Configurations![trial.ConfigurationId];
            if (trial is { Status: TrialStatus.Running, HeldAt: null } && !configuration.Stopped && state.NextRung(trial, configuration) is { } rung && trial.At(rung) is not null)
            {
                Add(new TrialHeld(trial.TrialId, trial.Attempt, rung, now));
            }
        }
        return events;
    }

    private static string? TrialOf(IStudyEvent e) => e switch
    {
        CheckpointsRecorded r => r.TrialId,
        TrialCompleted c => c.TrialId,
        TrialFailed f => f.TrialId,
        TrialReleased r => r.TrialId,
        _ => null,
    };

    /// <summary>
    /// The judge's verdict, except that a configuration that already has <c>max_seeds</c> trials (counting
    /// seeds that failed for good) is promoted rather than given more: the seeds it may add are bounded.
    /// </summary>
    private RungVerdict Judge(string configuration, long rung)
    {
        var verdict = RungJudge.Judge(Scheduler!, rung, configuration, Reached(rung), IsFinal(rung));
        return verdict.Decision == RungDecision.Replicate && Configurations![configuration].TrialIds.Count >= (Scheduler!.MaxSeeds ?? 0)
            ? verdict with { Decision = RungDecision.Continue }
            : verdict;
    }

    /// <summary>Where a trial should pause by itself: the next rung its configuration has not been promoted past (null: none, or no scheduler).</summary>
    public long? PauseAt(string trialId) =>
        Scheduler is null || Trials[trialId] is not { } trial || Configurations![trial.ConfigurationId] is not { Stopped: false } configuration
            ? null
            : NextRung(trial, configuration);

    /// <summary>A trial handed back at or past a rung its configuration has not been promoted past waits there, out of the queue.</summary>
    private TrialRecord HoldIfAtRung(TrialRecord trial) =>
        Scheduler is not null && trial.HeldAt is null && Configurations![trial.ConfigurationId] is { Stopped: false } configuration
            && NextRung(trial, configuration) is { } rung && trial.At(rung) is not null
            ? trial with { HeldAt = rung }
            : trial;

    /// <summary>The first rung the configuration has not been promoted past, if its seeds have all reached it.</summary>
    private long? NextJudgement(ConfigurationState configuration)
    {
        if (configuration.Stopped)
        {
            return null;
        }
        var seeds = Seeds(configuration).ToList();
        if (seeds.Count == 0 || NextRung(seeds[0], configuration) is not { } rung)
        {
            return null;
        }
        return seeds.All(t => t.At(rung) is not null) ? rung : null;
    }

    private long? NextRung(TrialRecord trial, ConfigurationState configuration)
    {
        foreach (var rung in Scheduler!.Rungs(trial.Steps))
        {
            if (rung > configuration.JudgedThrough)
            {
                return rung;
            }
        }
        return null;
    }

    /// <summary>The seeds that count: all but those that failed for good.</summary>
    private IEnumerable<TrialRecord> Seeds(ConfigurationState configuration) =>
        configuration.TrialIds.Select(id => Trials[id]).Where(t => t.Status != TrialStatus.Failed);

    /// <summary>
    /// Every configuration whose seeds have all reached the rung, with their observations there. One
    /// already promoted past the rung stands with the seeds it was judged on there, plus any added later
    /// that have passed it.
    /// </summary>
    private Dictionary<string, IReadOnlyList<RungObservation>> Reached(long rung)
    {
        var reached = new Dictionary<string, IReadOnlyList<RungObservation>>(StringComparer.Ordinal);
        foreach (var (id, configuration) in Configurations!)
        {
            var observations = Seeds(configuration).Select(t => t.At(rung)).ToList();
            if (configuration.JudgedThrough >= rung)
            {
                observations.RemoveAll(o => o is null);
            }
            if (observations.Count > 0 && observations.All(o => o is not null))
            {
                reached[id] = observations!;
            }
        }
        return reached;
    }

    /// <summary>No other configuration can still reach the rung: every one not stopped has been promoted past it or reached it with all its seeds.</summary>
    private bool IsFinal(long rung) =>
        Configurations!.Values.Where(c => !c.Stopped).All(c => c.JudgedThrough >= rung || Seeds(c) is var seeds && !seeds.Any() || seeds.All(t => t.At(rung) is not null || t.Steps <= rung));

    /// <summary>
    /// The seeds a configuration may still add, up to <c>max_seeds</c> trials: its spec with the next
    /// unused seeds (their ids follow from the spec, so a sweep that later lists those seeds names the same trials).
    /// </summary>
    private List<TrialDefinition> MoreSeeds(string configuration)
    {
        var seeds = Configurations![configuration].TrialIds.Select(t => Trials[t]).ToList();
        var spec = TrialJson.Deserialize<TrialSpec>(seeds[0].SpecJson);
        var next = seeds.Max(t => t.Seed) + 1;
        return Enumerable.Range(next, Math.Max((Scheduler!.MaxSeeds ?? 0) - seeds.Count, 0))
            .Select(seed => spec with { Seed = seed })
            .Select(s => new TrialDefinition(TrialJson.StableId(s), TrialJson.Serialize(s)))
            .Where(d => !Trials.ContainsKey(d.TrialId))
            .ToList();
    }
}
