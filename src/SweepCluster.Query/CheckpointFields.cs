using SweepCluster.Query.ReadModel;
using SweepCluster.Trials;

namespace SweepCluster.Query;

/// <summary>The checkpoint fields by their engine names, as numbers: what results aggregate and exports write.</summary>
public static class CheckpointFields
{
    private static readonly Dictionary<string, Func<Checkpoint, double?>> Getters = new(StringComparer.Ordinal)
    {
        ["step"] = c => c.Step,
        ["loss"] = c => c.Loss,
        ["train_accuracy"] = c => c.TrainAccuracy,
        ["test_accuracy"] = c => c.TestAccuracy,
        ["norm_l1"] = c => c.NormL1,
        ["norm_l2"] = c => c.NormL2,
        ["norm_linf"] = c => c.NormLinf,
        ["margin_l1"] = c => c.MarginL1,
        ["margin_l2"] = c => c.MarginL2,
        ["margin_linf"] = c => c.MarginLinf,
        ["smoothed_margin_l1"] = c => c.SmoothedMarginL1,
        ["smoothed_margin_l2"] = c => c.SmoothedMarginL2,
        ["smoothed_margin_linf"] = c => c.SmoothedMarginLinf,
        ["wall_ms"] = c => c.WallMs,
    };

    /// <summary>In the engine's order.</summary>
    public static IReadOnlyList<string> Names => ReadModelSchema.CheckpointColumns;

    /// <summary>Metrics where smaller is better (for --best).</summary>
    public static bool LowerIsBetter(string name) => name is "loss" or "wall_ms";

    public static bool Exists(string name) => Getters.ContainsKey(name);

    /// <summary>A field's value; null when the checkpoint has none or it is not finite.</summary>
    public static double? Get(Checkpoint checkpoint, string name) => Finite(Getter(name)(checkpoint));

    /// <summary>Reads one field of many checkpoints, looking the field up once.</summary>
    public static void GetAll(IReadOnlyList<Checkpoint> checkpoints, string name, List<double> into)
    {
        var get = Getter(name);
        foreach (var checkpoint in checkpoints)
        {
            if (Finite(get(checkpoint)) is { } value)
            {
                into.Add(value);
            }
        }
    }

    private static Func<Checkpoint, double?> Getter(string name) =>
        Getters.TryGetValue(name, out var get) ? get : throw new ArgumentException($"unknown checkpoint field '{name}'", nameof(name));

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
