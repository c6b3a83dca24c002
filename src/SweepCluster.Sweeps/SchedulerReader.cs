using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Scheduling;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;
using SweepCluster.Trials.Yaml;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Sweeps;

/// <summary>
/// Reads a sweep's <c>scheduler:</c> mapping (absent: FIFO, every trial runs to its end), checking each
/// key against the trials it will judge.
/// </summary>
internal static class SchedulerReader
{
    public const string Key = "scheduler";

    public static SchedulerSettings? Read(YamlNode? node, string fileName, List<ConfigError> errors)
    {
        if (node is null)
        {
            return null;
        }
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(new ConfigError(fileName, node.Start, Key, "must be a mapping, e.g. {kind: asha, metric: margin_l2, min_steps: 100}"));
            return null;
        }
        var map = new ConfigMap(mapping, fileName, Key, errors);
        var before = errors.Count;
        var kind = map.Choice("kind", SchedulerKind.Fifo);
        if (errors.Count > before)
        {
            return null;
        }
        if (kind == SchedulerKind.Fifo)
        {
            map.ReportUnknownKeys();
            return null;
        }
        var metricName = map.String("metric", "margin_l2")!;
        var metric = MetricRegistry.Find(metricName);
        if (metric is null || metric.Better == Better.Neither)
        {
            map.Error("metric", $"must be one of {string.Join(", ", MetricRegistry.Rankable.Select(m => m.Name))}, found '{metricName}'");
        }
        var defaultMode = metric?.Better == Better.Smaller ? Goal.Min : Goal.Max;
        var mode = map.Choice("mode", defaultMode);
        var minSteps = map.Int("min_steps", required: true);
        map.Require(minSteps is null or > 0, "min_steps", $"must be at least 1, found {minSteps}");
        var reduction = map.Int("reduction_factor", 3) ?? 3;
        var every = map.Int("every", null);
        if (kind == SchedulerKind.Asha)
        {
            map.Require(reduction >= 2, "reduction_factor", $"must be at least 2, found {reduction}");
            map.Require(every is null, "every", "is for kind: median (ASHA's rungs are min_steps times reduction_factor to a power)");
        }
        else
        {
            map.Require(!map.Has("reduction_factor"), "reduction_factor", "is for kind: asha (the median rule judges every 'every' steps)");
            map.Require(every is null or > 0, "every", $"must be at least 1, found {every}");
        }
        var confidence = map.Double("confidence", 0.95) ?? 0.95;
        map.Require(confidence is > 0 and < 1, "confidence", $"must be between 0 and 1 (the confidence of each configuration's interval over its seeds), found {confidence}");
        var unit = map.Choice("unit", ScheduleUnit.Configuration);
        var maxSeeds = map.Int("max_seeds", null);
        map.Require(maxSeeds is null or >= 2, "max_seeds", $"must be at least 2, found {maxSeeds}");
        map.Require(maxSeeds is null || unit == ScheduleUnit.Configuration, "max_seeds", "is for unit: configuration (a trial judged alone has no seeds to add)");
        map.ReportUnknownKeys();
        if (errors.Count > before || minSteps is null)
        {
            return null;
        }
        return new SchedulerSettings(kind, metricName, mode, minSteps.Value, reduction, every ?? minSteps.Value, confidence, unit, maxSeeds);
    }

    /// <summary>A scheduler that would never judge (no rung below the trials' last step) is a mistake, not FIFO.</summary>
    public static void CheckAgainst(SchedulerSettings scheduler, YamlNode node, IReadOnlyList<SweepTrial> trials, string fileName, List<ConfigError> errors)
    {
        var steps = trials.Count == 0 ? 0 : trials.Min(t => t.Spec.Steps);
        if (trials.Count > 0 && !scheduler.Rungs(steps).Any())
        {
            errors.Add(new ConfigError(fileName, ValueOf(node, "min_steps").Start, $"{Key}.min_steps", $"must be below the trials' steps ({steps:N0}), found {scheduler.MinSteps:N0}: no rung, so nothing would ever be judged"));
        }
        var seeds = trials.Count == 0 ? 0 : trials.GroupBy(t => ReplicateConfig.Id(TrialJson.Serialize(t.Spec))).Max(g => g.Count());
        if (scheduler.MaxSeeds is { } most && most <= seeds)
        {
            errors.Add(new ConfigError(fileName, ValueOf(node, "max_seeds").Start, $"{Key}.max_seeds", $"must be more than the {seeds} seeds a configuration has in the sweep, found {most}: no seed could be added"));
        }
    }

    private static YamlNode ValueOf(YamlNode node, string key) =>
        (node as YamlMappingNode)?.Children.FirstOrDefault(c => (c.Key as YamlScalarNode)?.Value == key).Value ?? node;
}
