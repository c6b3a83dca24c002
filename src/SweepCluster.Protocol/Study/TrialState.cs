using SweepCluster.Trials;

namespace SweepCluster.Protocol.Study;

/// <summary>A trial's state as a researcher reads it: a diverged trial is "diverged", not "completed" with an end.</summary>
public static class TrialState
{
    public static readonly IReadOnlyList<string> All = ["pending", "running", "completed", "diverged", "failed", "pruned"];

    public static string Of(TrialStatus status, TrialEnd? end) =>
        status == TrialStatus.Completed && end == TrialEnd.Diverged ? "diverged" : status.ToString().ToLowerInvariant();
}
