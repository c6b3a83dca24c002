using SweepCluster.Protocol.Metrics;
using SweepCluster.Trials;

namespace SweepCluster.Query;

/// <summary>The checkpoint fields by their contract names, as numbers: what results aggregate and exports write.</summary>
public static class CheckpointFields
{
    /// <summary>In the engine's order.</summary>
    public static IReadOnlyList<string> Names => MetricRegistry.Names;

    /// <summary>Metrics where smaller is better (for --best).</summary>
    public static bool LowerIsBetter(string name) => MetricRegistry.Find(name)?.Better == Better.Smaller;

    public static bool Exists(string name) => MetricRegistry.Find(name) is not null;

    /// <summary>A field's value; null when the checkpoint has none or it is not finite.</summary>
    public static double? Get(Checkpoint checkpoint, string name) => MetricRegistry.Get(name).Finite(checkpoint);

    /// <summary>Reads one field of many checkpoints, looking the field up once.</summary>
    public static void GetAll(IReadOnlyList<Checkpoint> checkpoints, string name, List<double> into)
    {
        var metric = MetricRegistry.Get(name);
        foreach (var checkpoint in checkpoints)
        {
            if (metric.Finite(checkpoint) is { } value)
            {
                into.Add(value);
            }
        }
    }
}
