namespace SweepCluster.Trials;

public enum Better
{
    /// <summary>Not a quantity to rank by (the step).</summary>
    Neither,
    Larger,
    Smaller,
}

/// <summary>
/// Declares a checkpoint field as a metric: which way is better, and whether the value only means what it
/// says once the network fits its training data (a margin is negative, and ranks nothing, before that).
/// Every layer that shows, stores or decides on checkpoints finds the metrics through these declarations.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property)]
public sealed class MetricAttribute(Better better) : Attribute
{
    public Better Better { get; } = better;

    public bool MeaningfulOnceFit { get; init; }

    /// <summary>Shown at a glance: in the run's summary, the live display and the progress log line.</summary>
    public bool Summarized { get; init; }
}
