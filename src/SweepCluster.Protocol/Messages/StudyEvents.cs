using System.Text.Json.Serialization;
using SweepCluster.Protocol.Scheduling;
using SweepCluster.Trials;

namespace SweepCluster.Protocol;

/// <summary>A fact about a study, persisted in its coordinator's journal. Events are never changed once written.</summary>
public interface IStudyEvent : IProtocolMessage;

/// <summary>The study exists; <see cref="Scheduler"/> (null: FIFO, no early stopping) is fixed for its life.</summary>
public sealed record StudyCreated(string StudyId, string? Description, int MaxRetries, DateTimeOffset At, SchedulerSettings? Scheduler = null) : IStudyEvent;

/// <summary>Trials joined the study; <see cref="Engine"/> is the <see cref="EngineVersion"/> their specs mean (null in journals written before it was recorded).</summary>
public sealed record TrialsAdded(
    IReadOnlyList<TrialDefinition> Trials,
    DateTimeOffset At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Engine = null) : IStudyEvent;

/// <summary>An attempt went to a worker; <see cref="Engine"/> is the <see cref="EngineVersion"/> of the coordinator that assigned it (null before it was recorded).</summary>
public sealed record TrialAssigned(
    string TrialId,
    int Attempt,
    string Node,
    long? FromStep,
    DateTimeOffset At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Engine = null) : IStudyEvent;

/// <summary>Batch <see cref="Sequence"/> of an attempt was stored (-1: the checkpoints that came with the trial's end). It may hold no new checkpoint when a resumed attempt repeats steps.</summary>
public sealed record CheckpointsRecorded(string TrialId, int Attempt, long Sequence, IReadOnlyList<Checkpoint> Checkpoints) : IStudyEvent;

/// <summary>A training state was stored (in the training-state table) for the trial at this step.</summary>
public sealed record TrialStateSaved(string TrialId, int Attempt, long Step) : IStudyEvent;

/// <summary>The trial ended for good: completed, stopped by loss or wall clock, or diverged.</summary>
public sealed record TrialCompleted(string TrialId, int Attempt, TrialEnd End, long Step, long? FirstFitStep, Checkpoint? Final, string? Reason, DateTimeOffset At) : IStudyEvent;

/// <summary>The attempt threw. Without a retry left, the trial is failed for good.</summary>
public sealed record TrialFailed(string TrialId, int Attempt, string Reason, bool WillRetry, DateTimeOffset At) : IStudyEvent;

/// <summary>The attempt stopped without the trial's fault (interrupted, or its worker was lost): back to pending, attempt not counted.</summary>
public sealed record TrialReleased(string TrialId, int Attempt, string Reason, DateTimeOffset At) : IStudyEvent;

public sealed record StudyInterrupted(DateTimeOffset At) : IStudyEvent;

public sealed record StudyResumed(DateTimeOffset At) : IStudyEvent;

public sealed record StudyFinished(DateTimeOffset At) : IStudyEvent;

/// <summary>
/// The study's scheduler judged a configuration (all its seeds) at a rung: it goes on to the next rung,
/// it waits (held there, using no slot) until more configurations have reached the rung, or it stops and
/// each of its unfinished trials gets a <see cref="TrialPruned"/> in the same write.
/// </summary>
public sealed record RungJudged(string Configuration, long Rung, RungDecision Decision, RungEvidence Evidence, DateTimeOffset At) : IStudyEvent;

/// <summary>
/// The trial reached a rung its configuration has not been judged past: it pauses there (its worker saves
/// its state and hands it back) and waits, out of the queue, for the judgement.
/// </summary>
public sealed record TrialHeld(string TrialId, int Attempt, long Rung, DateTimeOffset At) : IStudyEvent;

/// <summary>The scheduler stopped the trial (its configuration, at a rung); it keeps the checkpoints it has. Attempt 0: it never started.</summary>
public sealed record TrialPruned(string TrialId, int Attempt, RungEvidence Evidence, DateTimeOffset At) : IStudyEvent;
