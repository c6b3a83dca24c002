namespace SweepCluster.Protocol;

/// <summary>
/// The answer to one <see cref="RequestWork"/>: the trials given to the worker, at most the slots it
/// offered and at most <see cref="TrialPages.MaxBytes"/> of specs (a worker with many free slots asks again).
/// </summary>
public sealed record TrialsAssigned(string StudyId, IReadOnlyList<AssignTrial> Trials) : IProtocolMessage;
