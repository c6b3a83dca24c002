using SweepCluster.Trials;

namespace SweepCluster.Protocol.Study;

/// <summary>A trial's state as a researcher reads it: a diverged or stalled trial is "diverged" or "stalled", not "completed" with an end.</summary>
public static class TrialState
{
    public static readonly IReadOnlyList<string> All = ["pending", "running", "completed", "diverged", "stalled", "failed", "pruned"];

    public static string Of(TrialStatus status, TrialEnd? end) =>
        (status, end) switch
        {
            (TrialStatus.Completed, TrialEnd.Diverged) => "diverged",
            (TrialStatus.Completed, TrialEnd.Stalled) => "stalled",
            _ => status.ToString().ToLowerInvariant(),
        };
}
