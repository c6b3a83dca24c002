namespace SweepCluster.Trials;

/// <summary>
/// The metrics of one training state. The field names (snake_case in JSON and CSV) are the product's
/// contract: every interface that shows checkpoints keeps them. A value that is not finite (a margin of
/// a zero network, say) is null.
/// </summary>
public sealed record Checkpoint(
    long Step,
    double Loss,
    double TrainAccuracy,
    double? TestAccuracy,
    double NormL1,
    double NormL2,
    double NormLinf,
    double? MarginL1,
    double? MarginL2,
    double? MarginLinf,
    double? SmoothedMarginL1,
    double? SmoothedMarginL2,
    double? SmoothedMarginLinf,
    double WallMs)
{
    /// <summary>The same checkpoint with its wall-clock time left out: what two runs of one trial must agree on.</summary>
    public Checkpoint WithoutWallTime() => this with { WallMs = 0 };
}
