using SweepCluster.Training.Data;
using SweepCluster.Trials;

namespace SweepCluster.Training.Tests;

/// <summary>
/// Theorem 3.1 of "Flavors of Margin" (Tsilivis, Vardi, Kempe, 2024): once a homogeneous network fits the
/// data, steepest descent in a norm does not decrease the smoothed margin normalized in that norm. Checked
/// at every step of a small run, for gd (l2), sign (l-infinity) and coordinate (l1).
/// </summary>
public sealed class ImplicitBiasTests
{
    [Theory]
    [InlineData(AlgorithmKind.Gd, 0.05)]
    [InlineData(AlgorithmKind.Sign, 2e-4)]
    [InlineData(AlgorithmKind.Coordinate, 0.05)]
    public void Own_norm_smoothed_margin_does_not_decrease_after_fitting(AlgorithmKind algorithm, double lr)
    {
        var spec = Specs.Synthetic(algorithm, lr, steps: 400, width: 16, n: 40) with { CheckpointEvery = 1 };
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        var observer = new RecordingObserver();
        var outcome = runner.Run(observer, TestContext.Current.CancellationToken);

        Assert.NotNull(outcome.FirstFitStep);
        Func<Checkpoint, double> ownMargin = algorithm switch
        {
            AlgorithmKind.Gd => c => c.SmoothedMarginL2!.Value,
            AlgorithmKind.Sign => c => c.SmoothedMarginLinf!.Value,
            _ => c => c.SmoothedMarginL1!.Value,
        };
        // Smoothed margins are negative until the loss is below 1; the theorem is about the fitted phase.
        var fitted = observer.Checkpoints.Where(c => c.Step >= outcome.FirstFitStep && c.Loss < 1).Select(ownMargin).ToList();
        Assert.True(fitted.Count > 50, $"only {fitted.Count} steps after fitting with loss < 1");
        for (var i = 1; i < fitted.Count; i++)
        {
            var noise = 1e-6 * Math.Abs(fitted[i - 1]);
            Assert.True(fitted[i] >= fitted[i - 1] - noise, $"smoothed margin fell from {fitted[i - 1]:R} to {fitted[i]:R} at fitted step {i}");
        }
        Assert.True(fitted[^1] > fitted[0], "the smoothed margin did not grow at all");
    }
}
