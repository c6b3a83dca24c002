using System.Collections.Immutable;
using SweepCluster.Protocol.Scheduling;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Study;

public enum StudyPhase { New, Running, Interrupted, Finished }

/// <summary>
/// A study's state, rebuilt from its events by <see cref="Apply"/>. The decision functions (Start, Assign,
/// Record, ...) look at the state and a command and return the events to persist; they change nothing,
/// so tests call them without an actor.
/// </summary>
public sealed partial record StudyState(
    string StudyId,
    StudyPhase Phase,
    string? Description,
    int MaxRetries,
    ImmutableDictionary<string, TrialRecord> Trials,
    ImmutableSortedDictionary<long, string> Pending,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? FinishedAt,
    SchedulerSettings? Scheduler = null,
    ImmutableDictionary<string, ConfigurationState>? Configurations = null) : IProtocolMessage
{
    /// <summary>The most bytes of trial specs in one TrialsAdded event.</summary>
    private const int EventPageBytes = 256 * 1024;

    public static StudyState Empty(string studyId) =>
        new(studyId, StudyPhase.New, null, 2, ImmutableDictionary<string, TrialRecord>.Empty, ImmutableSortedDictionary<long, string>.Empty, null, null);

    public bool Exists => Phase != StudyPhase.New;

    public IEnumerable<TrialRecord> Running => Trials.Values.Where(t => t.Status == TrialStatus.Running);

    // ---- Apply: events to state ----

    public StudyState Apply(IStudyEvent e) => e switch
    {
        StudyCreated c => this with
        {
            Phase = StudyPhase.Running, Description = c.Description, MaxRetries = c.MaxRetries, CreatedAt = c.At,
            Scheduler = c.Scheduler is { Stops: true } ? c.Scheduler : null,
            Configurations = c.Scheduler is { Stops: true } ? ImmutableDictionary<string, ConfigurationState>.Empty : null,
        },
        TrialsAdded a => a.Trials.Aggregate(this, (s, d) => s.AddTrial(d, EngineVersion.Of(a.Engine, a.At))),
        TrialAssigned a => Dequeue(a.TrialId).Update(a.TrialId, t => (t with { Status = TrialStatus.Running, Attempt = a.Attempt, Node = a.Node, Reason = null, NextBatch = 0 })
            .AssignedUnder(EngineVersion.Of(a.Engine, a.At), a.FromStep, a.At)),
        CheckpointsRecorded r => Update(r.TrialId, t => Observe(t with
        {
            LastStep = r.Checkpoints.Count > 0 ? r.Checkpoints[^1].Step : t.LastStep,
            CheckpointCount = t.CheckpointCount + r.Checkpoints.Count,
            Latest = r.Checkpoints.Count > 0 ? r.Checkpoints[^1] : t.Latest,
            NextBatch = r.Sequence >= 0 ? r.Sequence + 1 : t.NextBatch,
        }, r.Checkpoints)),
        TrialStateSaved s => Update(s.TrialId, t => t with { StateStep = s.Step }),
        TrialCompleted c => Update(c.TrialId, t => ObserveEnd(t with
        {
            Status = TrialStatus.Completed, End = c.End, FirstFitStep = c.FirstFitStep, Latest = c.Final ?? t.Latest, Reason = c.Reason, Node = null,
        })),
        TrialFailed f => f.WillRetry
            ? Requeue(f.TrialId, t => t with { Failures = t.Failures + 1, Reason = f.Reason })
            : Dequeue(f.TrialId).Update(f.TrialId, t => t with { Status = TrialStatus.Failed, Failures = t.Failures + 1, Reason = f.Reason, Node = null }),
        TrialReleased r => Requeue(r.TrialId, t => t with { Reason = r.Reason }),
        RungJudged j => Judged(j),
        TrialHeld h => Update(h.TrialId, t => t with { HeldAt = h.Rung }),
        TrialPruned p => Dequeue(p.TrialId).Update(p.TrialId, t => t with { Status = TrialStatus.Pruned, Node = null, HeldAt = null, Reason = p.Evidence.Describe() }),
        StudyInterrupted => this with { Phase = StudyPhase.Interrupted },
        StudyResumed => this with { Phase = StudyPhase.Running, FinishedAt = null },
        StudyFinished f => this with { Phase = StudyPhase.Finished, FinishedAt = f.At },
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown study event"),
    };

    private StudyState AddTrial(TrialDefinition definition, int engine)
    {
        var ordinal = Trials.Count;
        var record = TrialRecord.New(definition, ordinal, Scheduler is not null, engine, () => InheritedKinkHold(definition));
        if (Scheduler is { Unit: ScheduleUnit.Trial })
        {
            record = record with { Configuration = definition.TrialId };
        }
        else if (Configurations?.GetValueOrDefault(record.ConfigurationId)?.ReplicatingAt is { } rung)
        {
            record = record with { Reason = $"seed added: its configuration's interval straddled the cut at step {rung:N0}" };
        }
        var joined = this with
        {
            Trials = Trials.Add(definition.TrialId, record),
            Configurations = Configurations is null ? null : Join(Configurations, record),
        };
        return joined.Enqueue(definition.TrialId);
    }

    /// <summary>The rule of the configuration a seed joins, for a seed that the scheduler adds to a coordinate configuration journaled before kink_hold was a key.</summary>
    private bool? InheritedKinkHold(TrialDefinition definition) =>
        Configurations?.GetValueOrDefault(ReplicateConfig.Id(definition.SpecJson)) is { TrialIds.Count: > 0 } configuration
            ? Trials[configuration.TrialIds[0]].LegacyKinkHold
            : null;

    private StudyState Update(string trialId, Func<TrialRecord, TrialRecord> change) =>
        this with { Trials = Trials.SetItem(trialId, change(Trials[trialId])) };

    /// <summary>Back to pending: into the queue, or, for a trial held at a rung, out of it until its configuration is judged there.</summary>
    private StudyState Requeue(string trialId, Func<TrialRecord, TrialRecord> change)
    {
        var updated = Update(trialId, t => HoldIfAtRung(change(t) with { Status = TrialStatus.Pending, Node = null }));
        return updated.Trials[trialId] is { HeldAt: { } rung }
            ? updated.Update(trialId, t => t with { Reason = $"waiting at step {rung:N0} until its configuration is judged there" })
            : updated.Enqueue(trialId);
    }

    private StudyState Enqueue(string trialId)
    {
        var key = QueueKey(Trials[trialId]);
        return Update(trialId, t => t with { QueueKey = key }) with { Pending = Pending.SetItem(key, trialId) };
    }

    private StudyState Dequeue(string trialId) =>
        Trials[trialId] is var t && Pending.TryGetValue(t.QueueKey ?? t.Ordinal, out var queued) && queued == trialId
            ? this with { Pending = Pending.Remove(t.QueueKey ?? t.Ordinal) }
            : this;

    // ---- Decisions: commands to events ----

    /// <summary>Creates the study or adds the trials it does not know; refuses trials incomparable with the study's.</summary>
    public (IReadOnlyList<IStudyEvent> Events, string? Rejection) Start(StartStudy command, DateTimeOffset now)
    {
        var fresh = command.Trials.Where(t => !Trials.ContainsKey(t.TrialId)).DistinctBy(t => t.TrialId).ToList();
        // A large study's trials go into several events, each a bounded row in the journal, written together.
        var added = TrialPages.Split(fresh, t => t.Size, EventPageBytes).Select(page => (IStudyEvent)new TrialsAdded(page, now, EngineVersion.Current)).ToList();
        if (!Exists)
        {
            return ([new StudyCreated(command.StudyId, command.Description, command.MaxRetries, now, command.Scheduler is { Stops: true } ? command.Scheduler : null), .. added], null);
        }
        if (SchedulerConflict(command.Scheduler) is { } conflict)
        {
            return ([], conflict);
        }
        var rejection = StudyComparability.Check(Trials.Values.Select(t => t.SpecJson), fresh.Select(t => t.SpecJson));
        if (rejection is not null)
        {
            return ([], rejection);
        }
        var events = new List<IStudyEvent>(added);
        if (Phase is StudyPhase.Interrupted || (Phase is StudyPhase.Finished && fresh.Count > 0))
        {
            events.Add(new StudyResumed(now));
        }
        return (events, null);
    }

    /// <summary>
    /// Up to <c>Slots</c> pending trials for the asking worker, oldest first, while the study runs; no more
    /// than fit one <see cref="TrialsAssigned"/> page (the worker asks again for the rest).
    /// </summary>
    public IReadOnlyList<IStudyEvent> Assign(RequestWork request, DateTimeOffset now)
    {
        if (Phase != StudyPhase.Running || request.Slots <= 0)
        {
            return [];
        }
        // A trial that cannot be continued under any rule fails, saying why, in place of being assigned.
        var unresumable = Pending.Values.Take(request.Slots).Where(id => Trials[id].Unresumable is not null).ToList();
        if (unresumable.Count > 0)
        {
            return WithFinish(unresumable.Select(id => (IStudyEvent)new TrialFailed(id, Trials[id].Attempt, Trials[id].Unresumable!, WillRetry: false, now)).ToList(), now);
        }
        var page = TrialPages.Split(Pending.Values.Take(request.Slots), id => Trials[id].SpecJson.Length + id.Length + 64).FirstOrDefault() ?? [];
        return page.Select(id => (IStudyEvent)new TrialAssigned(id, Trials[id].Attempt + 1, request.Node, Trials[id].StateStep, now, EngineVersion.Current)).ToList();
    }

    /// <summary>Whether this attempt is the one the trial runs now.</summary>
    public bool IsRunningAttempt(string trialId, int attempt) => IsCurrent(trialId, attempt, out _);

    /// <summary>Attempts whose lease ran out (no worker confirmed them in time) go back to pending, attempt not counted.</summary>
    public IReadOnlyList<IStudyEvent> ExpireLeases(IEnumerable<AttemptRef> expired, string reason, DateTimeOffset now) =>
        expired.Where(a => IsCurrent(a.TrialId, a.Attempt, out _))
            .Select(a => (IStudyEvent)new TrialReleased(a.TrialId, a.Attempt, $"{reason} ({Trials[a.TrialId].Node})", now))
            .ToList();

    /// <summary>
    /// A batch that arrives before an earlier one of its attempt (which was lost, say while the coordinator
    /// restarted) must wait: recording it would move the last step past the earlier batch's checkpoints,
    /// and those would then look like duplicates. It is not acknowledged, so the worker sends both again, in order.
    /// </summary>
    public bool BatchIsAhead(CheckpointBatch batch) =>
        batch.Sequence >= 0 && IsCurrent(batch.TrialId, batch.Attempt, out var trial) && batch.Sequence > trial.NextBatch;

    /// <summary>
    /// Keeps each (trial, step) once: batches of an attempt are taken in sequence (a re-sent one is a
    /// duplicate), and a resumed attempt's repeated steps are dropped by step.
    /// </summary>
    public IReadOnlyList<IStudyEvent> Record(CheckpointBatch batch, DateTimeOffset now)
    {
        var events = Checkpoints(batch);
        return events.Count == 0 ? events : WithFinish(WithSchedule(events, now), now);
    }

    private List<IStudyEvent> Checkpoints(CheckpointBatch batch)
    {
        if (!IsCurrent(batch.TrialId, batch.Attempt, out var trial) || (batch.Sequence >= 0 && batch.Sequence != trial.NextBatch))
        {
            return [];
        }
        var fresh = batch.Checkpoints.Where(c => c.Step > trial.LastStep).OrderBy(c => c.Step).ToList();
        return fresh.Count == 0 && batch.Sequence < 0 ? [] : [new CheckpointsRecorded(batch.TrialId, batch.Attempt, batch.Sequence, fresh)];
    }

    /// <summary>A state is stored once every checkpoint before it is: a run resumed from it will not produce them again.</summary>
    public bool StateIsAhead(StateComplete report) =>
        IsCurrent(report.TrialId, report.Attempt, out var trial) && trial.LastStep < report.CheckpointedThrough;

    /// <summary>Whether a state's chunks are worth storing: the attempt is current and the state newer than the recorded one.</summary>
    public bool WantsState(string trialId, int attempt, long step) =>
        IsCurrent(trialId, attempt, out var trial) && step > (trial.StateStep ?? -1);

    public IReadOnlyList<IStudyEvent> SaveState(StateComplete report) =>
        IsCurrent(report.TrialId, report.Attempt, out var trial) && report.Step > (trial.StateStep ?? -1) && trial.LastStep >= report.CheckpointedThrough
            ? [new TrialStateSaved(report.TrialId, report.Attempt, report.Step)]
            : [];

    /// <summary>Records the attempt's last checkpoints and how it ended, in one write.</summary>
    public IReadOnlyList<IStudyEvent> Finish(TrialFinished finished, DateTimeOffset now)
    {
        if (!IsCurrent(finished.TrialId, finished.Attempt, out _))
        {
            return [];
        }
        var events = Checkpoints(new CheckpointBatch(finished.StudyId, finished.TrialId, finished.Attempt, -1, finished.LastCheckpoints));
        events.Add(finished.End == TrialEnd.Cancelled
            ? new TrialReleased(finished.TrialId, finished.Attempt, finished.Reason ?? "interrupted", now)
            : new TrialCompleted(finished.TrialId, finished.Attempt, finished.End, finished.Step, finished.FirstFitStep, finished.Final, finished.Reason, now));
        return WithFinish(WithSchedule(events, now), now);
    }

    public IReadOnlyList<IStudyEvent> Crash(TrialCrashed crashed, DateTimeOffset now)
    {
        if (!IsCurrent(crashed.TrialId, crashed.Attempt, out var trial))
        {
            return [];
        }
        var willRetry = trial.Failures + 1 <= MaxRetries;
        return WithFinish(WithSchedule([new TrialFailed(crashed.TrialId, crashed.Attempt, crashed.Reason, willRetry, now)], now), now);
    }

    /// <summary>Running trials on nodes that are gone go back to pending (from their latest saved state).</summary>
    public IReadOnlyList<IStudyEvent> ReleaseLost(Func<string, bool> isAlive, string reason, DateTimeOffset now) =>
        Running.Where(t => t.Node is null || !isAlive(t.Node)).OrderBy(t => t.Ordinal)
            .Select(t => (IStudyEvent)new TrialReleased(t.TrialId, t.Attempt, $"{reason} ({t.Node})", now))
            .ToList();

    public IReadOnlyList<IStudyEvent> Interrupt(DateTimeOffset now) =>
        Phase == StudyPhase.Running ? [new StudyInterrupted(now)] : [];

    public IReadOnlyList<IStudyEvent> Resume(DateTimeOffset now) =>
        Phase == StudyPhase.Interrupted ? [new StudyResumed(now)] : [];

    private bool IsCurrent(string trialId, int attempt, out TrialRecord trial) =>
        Trials.TryGetValue(trialId, out trial!) && trial.Status == TrialStatus.Running && trial.Attempt == attempt;

    private List<IStudyEvent> WithFinish(List<IStudyEvent> events, DateTimeOffset now)
    {
        var after = events.Aggregate(this, (s, e) => s.Apply(e));
        if (after.Phase == StudyPhase.Running && after.Trials.Values.All(t => t.IsTerminal))
        {
            events.Add(new StudyFinished(now));
        }
        return events;
    }
}
