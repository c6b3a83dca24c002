namespace SweepCluster.Cluster.Protocol;

/// <summary>The answer to one <see cref="RequestWork"/>: the trials given to the worker (at most the slots it offered).</summary>
public sealed record TrialsAssigned(string StudyId, IReadOnlyList<AssignTrial> Trials) : IProtocolMessage;
