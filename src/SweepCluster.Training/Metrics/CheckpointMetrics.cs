using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Metrics;

/// <summary>
/// The metrics of one state: loss, accuracies, the l1/l2/l-infinity norms of all parameters, the
/// normalized margins min_i q_i / ||theta||_p^L and their smoothed form (the loss's own, from
/// <see cref="Model.MarginObjective"/>) over ||theta||_p^L, the same in the algorithm's own norm, and the
/// alignment of theta with -grad L in each norm, all in float64.
/// </summary>
public static class CheckpointMetrics
{
    public sealed record Norms(double L1, double L2, double Linf);

    /// <summary>The lp norm an algorithm's steepest descent is taken in: its own norm.</summary>
    public static double OwnP(TrialSpec spec) => spec.Algorithm switch
    {
        AlgorithmKind.Gd => 2,
        AlgorithmKind.Coordinate => 1,
        AlgorithmKind.Steepest => spec.P!.Value,
        _ => double.PositiveInfinity,
    };

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
    /// <param name="gradient">d log L / d theta on every training point (any positive multiple of grad L serves: alignment is scale-free).</param>
    /// <param name="ownP">The p of the algorithm's own norm (<see cref="OwnP"/>).</param>
    public static Checkpoint Compute(long step, Model.MarginObjective.Result head, Tensor theta, Tensor gradient, double ownP, int depth, double? testAccuracy, double wallMs)
    {
        using var scope = NewDisposeScope();
        var norms = Measure(theta);
        var (logLoss, margins, softMin) = (head.LogLoss, head.Margins, head.SmoothedMargin);
        var minMargin = margins.min().item<double>();
        var accuracy = Accuracy(margins);
        double? Normalized(double value, double norm) => Finite(value / Math.Pow(norm, depth));
        var ownNorm = ownP switch
        {
            1 => norms.L1,
            2 => norms.L2,
            double.PositiveInfinity => norms.Linf,
            _ => LpNorm(theta, ownP),
        };

        // Hoelder's pairs: l1 with l-infinity, l2 with itself, lp with lq (1/p + 1/q = 1).
        var g = gradient.to(ScalarType.Float64);
        var descent = -theta.to(ScalarType.Float64).dot(g).item<double>();
        var gAbs = g.abs();
        var (g1, g2, gInf) = (gAbs.sum().item<double>(), Math.Sqrt(g.dot(g).item<double>()), g.numel() == 0 ? 0 : gAbs.max().item<double>());
        var ownDual = ownP switch
        {
            1 => gInf,
            2 => g2,
            double.PositiveInfinity => g1,
            _ => LpNorm(g, ownP / (ownP - 1)),
        };
        double? Alignment(double thetaNorm, double gradientNorm) => Finite(descent / (thetaNorm * gradientNorm));

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
            wallMs,
            MarginOwn: Normalized(minMargin, ownNorm),
            SmoothedMarginOwn: Normalized(softMin, ownNorm),
            AlignmentL1: Alignment(norms.L1, gInf),
            AlignmentL2: Alignment(norms.L2, g2),
            AlignmentLinf: Alignment(norms.Linf, g1),
            AlignmentOwn: Alignment(ownNorm, ownDual));
    }

    /// <summary>(sum |x|^p)^(1/p) in float64, scaled by the largest |x| so that neither overflows nor underflows.</summary>
    private static double LpNorm(Tensor x, double p)
    {
        using var scope = NewDisposeScope();
        var magnitude = x.to(ScalarType.Float64).abs();
        var largest = x.numel() == 0 ? 0 : magnitude.max().item<double>();
        if (largest == 0)
        {
            return 0;
        }
        using var scale = largest.ToScalar();
        using var power = p.ToScalar();
        return largest * Math.Pow(magnitude.div(scale).pow(power).sum().item<double>(), 1 / p);
    }

    public static double Accuracy(Tensor margins)
    {
        using var scope = NewDisposeScope();
        return margins.gt(HeldScalars.Zero).to(ScalarType.Float64).mean().item<double>();
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
