using MathNet.Numerics.Distributions;

namespace SweepCluster.Protocol.Scheduling;

/// <summary>A mean over seeds with its two-sided t confidence interval (a single seed's interval is the value itself).</summary>
public readonly record struct Interval(double Mean, double Lower, double Upper)
{
    public static Interval Of(IReadOnlyList<double> values, double confidence)
    {
        var n = values.Count;
        var mean = values.Average();
        if (n < 2 || !double.IsFinite(mean))
        {
            return new(mean, mean, mean);
        }
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        var half = StudentT.InvCDF(0, 1, n - 1, (1 + confidence) / 2) * Math.Sqrt(variance / n);
        return new(mean, mean - half, mean + half);
    }
}

/// <summary>One configuration's seeds at one rung.</summary>
internal sealed record ReplicateSummary(string Configuration, int Seeds, int SeedsFit, Interval? Metric, Interval Loss)
{
    public bool AllFit => SeedsFit == Seeds;

    /// <summary>
    /// The configuration's standing at the rung: with a metric that means something only once the data
    /// is fit (the margins), configurations whose seeds all fit come first, by the metric; the others
    /// after them, by training loss. Otherwise by the metric alone. Larger is better.
    /// </summary>
    public (int Tier, double Value) Standing(bool needsFit, Goal goal) =>
        (needsFit && !AllFit) || Metric is null
            ? (0, -Loss.Mean)
            : (1, goal == Goal.Max ? Metric.Value.Mean : -Metric.Value.Mean);

    public static ReplicateSummary Of(string configuration, IReadOnlyList<RungObservation> seeds, double confidence)
    {
        var metrics = seeds.Select(s => s.Metric).ToList();
        var metric = metrics.All(m => m is not null) ? Interval.Of(metrics.Select(m => m!.Value).ToList(), confidence) : (Interval?)null;
        var losses = seeds.Select(s => double.IsNaN(s.Loss) ? double.PositiveInfinity : s.Loss).ToList();
        return new(configuration, seeds.Count, seeds.Count(s => s.Fit), metric, Interval.Of(losses, confidence));
    }
}
