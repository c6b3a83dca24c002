using SweepCluster.Trials;

namespace SweepCluster.Cluster.Protocol;

// Coordinator -> worker.

/// <summary>The study has pending trials; a worker with free slots answers with <see cref="RequestWork"/>.</summary>
public sealed record WorkAvailable(string StudyId) : IProtocolMessage;

/// <summary>Run this trial. With a state, continue it from there instead of from step 0.</summary>
public sealed record AssignTrial(string StudyId, string TrialId, string SpecJson, int Attempt, byte[]? ResumeState) : IProtocolMessage;

public sealed record NoWork(string StudyId) : IProtocolMessage;

/// <summary>Stop the study's running trials, saving their state.</summary>
public sealed record StopTrials(string StudyId) : IProtocolMessage;

// Worker -> coordinator. Each is re-sent until acknowledged, so the coordinator must accept duplicates.

public sealed record RequestWork(string StudyId, int Slots, string Node) : IStudyMessage;

/// <summary>Checkpoints of one attempt of one trial, in step order; <see cref="Sequence"/> numbers the batches of the attempt.</summary>
public sealed record CheckpointBatch(string StudyId, string TrialId, int Attempt, long Sequence, IReadOnlyList<Checkpoint> Checkpoints) : IStudyMessage;

public sealed record BatchAck(string StudyId, string TrialId, int Attempt, long Sequence) : IProtocolMessage;

/// <summary>
/// A resumable training state (safetensors bytes) of a running trial. <see cref="CheckpointedThrough"/> is
/// the step of the last checkpoint produced before it (-1: none): the coordinator stores the state only once
/// that checkpoint is stored, because a run resumed from the state never produces it again.
/// </summary>
public sealed record TrialStateReport(string StudyId, string TrialId, int Attempt, long Step, long CheckpointedThrough, byte[] State) : IStudyMessage;

public sealed record StateAck(string StudyId, string TrialId, int Attempt, long Step) : IProtocolMessage;

/// <summary>
/// The attempt ended (completed, stopped early, diverged, or cancelled to be resumed later), with its last
/// checkpoints (those not sent in a batch yet); sent after all its batches were acknowledged.
/// </summary>
public sealed record TrialFinished(string StudyId, string TrialId, int Attempt, TrialEnd End, long Step, long? FirstFitStep, Checkpoint? Final, string? Reason, IReadOnlyList<Checkpoint> LastCheckpoints) : IStudyMessage;

/// <summary>The attempt threw: it is retried up to the study's max_retries.</summary>
public sealed record TrialCrashed(string StudyId, string TrialId, int Attempt, string Reason) : IStudyMessage;

public sealed record FinishAck(string StudyId, string TrialId, int Attempt) : IProtocolMessage;
