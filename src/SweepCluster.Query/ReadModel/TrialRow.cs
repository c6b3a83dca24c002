using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Query.ReadModel;

/// <summary>
/// One trial as the read model holds it; <see cref="Latest"/> is its checkpoint at <see cref="LastStep"/>, and
/// <see cref="ConfigJson"/> its <see cref="ReplicateConfig"/> (null in read models projected before it existed).
/// </summary>
public sealed record TrialRow(
    string TrialId, int Ordinal, string SpecJson, AlgorithmKind Algorithm, double Lr, int Seed, int Steps, TrialStatus Status,
    int Attempt, int Failures, string? Node, long LastStep, long CheckpointCount, TrialEnd? End, long? FirstFitStep, string? Reason,
    string? ConfigJson, Checkpoint? Latest)
{
    public TrialSummary Summary() =>
        new(TrialId, Algorithm, Lr, Seed, Steps, Status, Attempt, Node, LastStep, CheckpointCount, End, FirstFitStep, Latest, Reason);
}

/// <summary>A study row: what the study is and its phase.</summary>
public sealed record StudyRow(string StudyId, string? Description, StudyPhase Phase, int MaxRetries, DateTimeOffset? CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>A study's trials counted by state; <see cref="Done"/> counts finished trials whole and others by their last step.</summary>
public sealed record StudyCounts(int Trials, int Pending, int Running, int Completed, int Diverged, int Failed, int Pruned, double Done, int Stalled = 0)
{
    public static StudyCounts None { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public double Progress => Trials == 0 ? 1 : Done / Trials;
}
