namespace SweepCluster.Protocol.Scheduling;

/// <summary>
/// One trial at one rung: from its first checkpoint at or after the rung's step (or its last one, if it
/// ended before). <see cref="Metric"/> is null when the checkpoint has no finite value; <see cref="Fit"/>
/// says whether it classified all its training data then.
/// </summary>
public sealed record RungObservation(long Rung, long Step, double? Metric, double Loss, bool Fit);
