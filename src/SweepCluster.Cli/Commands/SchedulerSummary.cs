using System.Globalization;
using SweepCluster.Protocol.Scheduling;
using SweepCluster.Protocol.Study;
using SweepCluster.Sweeps;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

/// <summary>What a sweep's scheduler will do, in a line: its rule, its rungs and what it judges.</summary>
internal static class SchedulerSummary
{
    public static string Describe(SchedulerSettings scheduler, IReadOnlyList<SweepTrial> trials)
    {
        var configurations = trials.GroupBy(t => ReplicateConfig.Id(TrialJson.Serialize(t.Spec))).Select(g => g.Count()).ToList();
        var rungs = string.Join(", ", scheduler.Rungs(trials.Min(t => t.Spec.Steps)).Select(r => r.ToString("N0", CultureInfo.InvariantCulture)));
        var rule = scheduler.Kind == SchedulerKind.Asha
            ? $"asha keeps the top 1/{scheduler.ReductionFactor}"
            : "median stops what is below the median of the others";
        var unit = scheduler.Unit == ScheduleUnit.Trial
            ? $"each of the {trials.Count:N0} trials alone"
            : $"{configurations.Count:N0} configurations of {string.Join(" or ", configurations.Distinct().Order())} seeds, each on its mean with a {scheduler.Confidence:P0} interval"
              + (scheduler.MaxSeeds is { } most ? $"; one whose interval straddles the cut grows to {most} seeds before it is decided" : "");
        return $"scheduler: {rule} by {scheduler.Metric} ({scheduler.Mode.ToString().ToLowerInvariant()}) at steps {rungs}; judges {unit}";
    }
}
