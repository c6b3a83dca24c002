using SweepCluster.Trials;

namespace SweepCluster.Protocol;

// Coordinator -> worker.

/// <summary>The study has pending trials; a worker with free slots answers with <see cref="RequestWork"/>.</summary>
public sealed record WorkAvailable(string StudyId) : IProtocolMessage;

/// <summary>
/// Run this trial. With <see cref="ResumeStep"/>, continue it from the training state stored at that step:
/// the worker fetches the state in chunks (<see cref="FetchStateChunk"/>) before it trains.
/// </summary>
/// <see cref="PauseAtStep"/>: the rung the study's scheduler judges the trial's configuration at next; the
/// worker pauses the trial there by itself (saving its state, as an interruption does), so a fast trial
/// does not run on past the rung while the news of it travels.
public sealed record AssignTrial(string StudyId, string TrialId, string SpecJson, int Attempt, long? ResumeStep, long? PauseAtStep = null) : IProtocolMessage;

public sealed record NoWork(string StudyId) : IProtocolMessage;

/// <summary>Stop the study's running trials, saving their state.</summary>
public sealed record StopTrials(string StudyId) : IProtocolMessage;

/// <summary>
/// This attempt is no longer the trial's current one (the coordinator released it, say while its node was
/// unreachable): drop it without reporting, since nothing it produces would be kept.
/// </summary>
public sealed record StopAttempt(string StudyId, string TrialId, int Attempt) : IProtocolMessage;

/// <summary>
/// Stop this attempt as an interruption does: save its state and hand it back. The study's scheduler
/// holds the trial at a rung until its configuration is judged there.
/// </summary>
public sealed record PauseAttempt(string StudyId, string TrialId, int Attempt) : IProtocolMessage;

// Worker -> coordinator. Each is re-sent until acknowledged, so the coordinator must accept duplicates.

/// <summary>At most <see cref="Slots"/> trials wanted; the coordinator may send fewer (a page) and the worker asks again.</summary>
public sealed record RequestWork(string StudyId, int Slots, string Node) : IStudyMessage;

/// <summary>One attempt of one trial, as a worker holds it: <see cref="Training"/> once a slot trains it, not while it waits in the worker's queue.</summary>
public sealed record AttemptRef(string TrialId, int Attempt, bool Training = false);

/// <summary>
/// The lease renewal: the attempts of this study that the worker holds (queued or training), sent at a
/// regular interval in pages of at most <see cref="MaxAttempts"/>, and for an attempt as a slot starts it. An assignment that no renewal confirms
/// expires at the coordinator and goes back to pending; an attempt the coordinator no longer runs is
/// answered with <see cref="StopAttempt"/>.
/// </summary>
public sealed record ConfirmAttempts(string StudyId, string Node, IReadOnlyList<AttemptRef> Attempts) : IStudyMessage
{
    public const int MaxAttempts = 500;
}

/// <summary>Checkpoints of one attempt of one trial, in step order; <see cref="Sequence"/> numbers the batches of the attempt.</summary>
public sealed record CheckpointBatch(string StudyId, string TrialId, int Attempt, long Sequence, IReadOnlyList<Checkpoint> Checkpoints) : IStudyMessage;

public sealed record BatchAck(string StudyId, string TrialId, int Attempt, long Sequence) : IProtocolMessage;

/// <summary>
/// The attempt ended (completed, stopped early, diverged, or cancelled to be resumed later), with its last
/// checkpoints (those not sent in a batch yet); sent after all its batches were acknowledged.
/// </summary>
public sealed record TrialFinished(string StudyId, string TrialId, int Attempt, TrialEnd End, long Step, long? FirstFitStep, Checkpoint? Final, string? Reason, IReadOnlyList<Checkpoint> LastCheckpoints) : IStudyMessage;

/// <summary>The attempt threw: it is retried up to the study's max_retries.</summary>
public sealed record TrialCrashed(string StudyId, string TrialId, int Attempt, string Reason) : IStudyMessage;

public sealed record FinishAck(string StudyId, string TrialId, int Attempt) : IProtocolMessage;
