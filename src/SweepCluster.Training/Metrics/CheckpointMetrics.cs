using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Metrics;

/// <summary>
/// The metrics of one state: loss, accuracies, the l1/l2/l-infinity norms of all parameters and the
/// normalized margins min_i q_i / ||theta||_p^L and their smoothed form (the loss's own, from
/// <see cref="Model.MarginObjective"/>) over ||theta||_p^L, all in float64.
/// </summary>
public static class CheckpointMetrics
{
    public sealed record Norms(double L1, double L2, double Linf);

    public static Norms Measure(Tensor theta)
    {
        using var scope = NewDisposeScope();
        var magnitude = theta.abs();
        var l1 = magnitude.sum(ScalarType.Float64).item<double>();
        var l2 = Math.Sqrt(magnitude.mul(magnitude).sum(ScalarType.Float64).item<double>());
        var linf = theta.numel() == 0 ? 0 : magnitude.max().item<float>();
        return new Norms(l1, l2, linf);
    }

    /// <param name="head">The loss head on every training point.</param>
    public static Checkpoint Compute(long step, Model.MarginObjective.Result head, Norms norms, int depth, double? testAccuracy, double wallMs)
    {
        using var scope = NewDisposeScope();
        var (logLoss, margins, softMin) = (head.LogLoss, head.Margins, head.SmoothedMargin);
        var minMargin = margins.min().item<double>();
        var accuracy = Accuracy(margins);
        double? Normalized(double value, double norm) => Finite(value / Math.Pow(norm, depth));
        return new Checkpoint(
            step,
            Math.Exp(logLoss),
            accuracy,
            testAccuracy,
            norms.L1,
            norms.L2,
            norms.Linf,
            Normalized(minMargin, norms.L1),
            Normalized(minMargin, norms.L2),
            Normalized(minMargin, norms.Linf),
            Normalized(softMin, norms.L1),
            Normalized(softMin, norms.L2),
            Normalized(softMin, norms.Linf),
            wallMs);
    }

    public static double Accuracy(Tensor margins)
    {
        using var scope = NewDisposeScope();
        return margins.gt(HeldScalars.Zero).to(ScalarType.Float64).mean().item<double>();
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
