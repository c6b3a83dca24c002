using SweepCluster.Protocol.Scheduling;
using SweepCluster.Trials;

namespace SweepCluster.Sweeps;

/// <summary>A study as a sweep file describes it: its name, every trial the file expands to, and its early-stopping rule (null: none).</summary>
public sealed record Sweep(string Study, string? Description, string File, int MaxRetries, IReadOnlyList<SweepTrial> Trials)
{
    public SchedulerSettings? Scheduler { get; init; }

    /// <summary>What a reader of the file may not expect, such as a shared value the sweep replaces.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>One trial of a sweep: its stable id (from its resolved configuration) and its spec.</summary>
/// <param name="DatasetLocation">Where the trial's dataset is set in the file, for errors found when the data is checked.</param>
public sealed record SweepTrial(string Id, TrialSpec Spec, string DatasetLocation);
