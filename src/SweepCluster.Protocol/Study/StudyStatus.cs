using SweepCluster.Protocol.Metrics;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Study;

public sealed record TrialSummary(
    string TrialId, AlgorithmKind Algorithm, double Lr, int Seed, int Steps, TrialStatus Status, int Attempt, string? Node,
    long LastStep, long CheckpointCount, TrialEnd? End, long? FirstFitStep, Checkpoint? Latest, string? Reason);

/// <summary>The best latest value of each summarized metric (keyed by name) among an algorithm's trials that have not diverged or stalled.</summary>
public sealed record AlgorithmBest(AlgorithmKind Algorithm, IReadOnlyDictionary<string, double?> Values);

/// <summary>A study at a glance: trial counts by state, each trial, and the best margins so far per algorithm.</summary>
public sealed record StudyStatus(
    string StudyId, StudyPhase Phase, string? Description, int Total, int Pending, int Running, int Completed, int Diverged, int Failed,
    IReadOnlyList<TrialSummary> Trials, IReadOnlyList<AlgorithmBest> Best, DateTimeOffset? CreatedAt, DateTimeOffset? FinishedAt, int Pruned = 0, int Stalled = 0) : IProtocolMessage
{
    /// <summary>No trial is running and none will be started: the study finished or was interrupted and has gone quiet.</summary>
    public bool IsSettled => Running == 0 && (Phase == StudyPhase.Finished || Phase == StudyPhase.Interrupted);

    /// <summary>How far the study is, 0 to 1: finished trials count whole, others by their last recorded step.</summary>
    public double Progress => Total == 0 ? 1 : Trials.Sum(t => t.Status is TrialStatus.Completed or TrialStatus.Failed or TrialStatus.Pruned ? 1.0 : Math.Clamp((t.LastStep + 1.0) / (t.Steps + 1.0), 0, 1)) / Total;

    public static StudyStatus From(StudyState state) =>
        Create(state.StudyId, state.Phase, state.Description, state.Trials.Values.OrderBy(t => t.Ordinal).Select(Summary).ToList(), state.CreatedAt, state.FinishedAt);

    /// <summary>Counts and best margins of a study whose trials are listed in order.</summary>
    public static StudyStatus Create(string studyId, StudyPhase phase, string? description, IReadOnlyList<TrialSummary> trials, DateTimeOffset? createdAt, DateTimeOffset? finishedAt)
    {
        var best = trials.GroupBy(t => t.Algorithm).OrderBy(g => g.Key).Select(g => new AlgorithmBest(
            g.Key,
            MetricRegistry.Summarized.ToDictionary(m => m.Name, m => m.Best(g.Select(t => (t.End, t.Latest)))))).ToList();
        return new StudyStatus(
            studyId, phase, description, trials.Count,
            trials.Count(t => t.Status == TrialStatus.Pending),
            trials.Count(t => t.Status == TrialStatus.Running),
            trials.Count(t => t.Status == TrialStatus.Completed && t.End.IsResult()),
            trials.Count(t => t.Status == TrialStatus.Completed && t.End == TrialEnd.Diverged),
            trials.Count(t => t.Status == TrialStatus.Failed),
            trials, best, createdAt, finishedAt, trials.Count(t => t.Status == TrialStatus.Pruned),
            trials.Count(t => t.Status == TrialStatus.Completed && t.End == TrialEnd.Stalled));
    }

    private static TrialSummary Summary(TrialRecord t)
    {
        return new TrialSummary(t.TrialId, t.Algorithm, t.Lr, t.Seed, t.Steps, t.Status, t.Attempt, t.Node, t.LastStep, t.CheckpointCount, t.End, t.FirstFitStep, t.Latest, t.Reason);
    }
}
