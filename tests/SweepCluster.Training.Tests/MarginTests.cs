using SweepCluster.Training.Data;
using SweepCluster.Training.Metrics;
using SweepCluster.Training.Model;
using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Tests;

public sealed class MarginTests
{
    private static (Checkpoint Checkpoint, Tensor Outputs) Measure(HomogeneousMlp model, LoadedDataset data)
    {
        var trace = new List<Tensor>();
        var outputs = model.Forward(data.TrainX, trace);
        var head = new MarginObjective(LossKind.Exponential, Reduction.Sum).Evaluate(outputs, data.TrainLabels, withGradient: true);
        model.Backward(head.OutputGradient!, trace);
        return (CheckpointMetrics.Compute(0, head, model.Theta, model.Gradient, ownP: 3, model.Depth, null, 0), outputs);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Network_is_homogeneous_of_degree_depth_and_normalized_hard_margins_are_scale_free(int depth)
    {
        using var scope = NewDisposeScope();
        using var data = DatasetLoader.Load(new SyntheticDatasetSpec(30, 6, 0.2, 1, 0));
        using var model = new HomogeneousMlp(new ModelSpec(depth, 10, InitKind.Normal, 0.5), data.Dim, 1);
        model.Initialize(InitKind.Normal, 0.5, seed: 2);
        var (before, outputs) = Measure(model, data);
        const float c = 3.5f;
        model.Theta.mul_(c);
        var (after, scaledOutputs) = Measure(model, data);

        var expected = outputs * Math.Pow(c, depth);
        var relativeError = ((scaledOutputs - expected).abs().max() / expected.abs().max()).item<float>();
        Assert.True(relativeError < 1e-5, $"f(c theta) differs from c^L f(theta) by {relativeError} relative");
        foreach (var (x, y) in new[]
        {
            (before.MarginL1, after.MarginL1), (before.MarginL2, after.MarginL2), (before.MarginLinf, after.MarginLinf),
        })
        {
            Assert.Equal(x!.Value, y!.Value, Math.Abs(x.Value) * 1e-5);
        }
    }

    [Fact]
    public void Smoothed_margin_bounds_the_margin_from_below_within_log_n()
    {
        using var scope = NewDisposeScope();
        using var data = DatasetLoader.Load(new SyntheticDatasetSpec(50, 6, 0.2, 1, 0));
        using var model = new HomogeneousMlp(new ModelSpec(2, 10, InitKind.Normal, 0.7), data.Dim, 1);
        model.Initialize(InitKind.Normal, 0.7, seed: 5);
        var (checkpoint, _) = Measure(model, data);
        var n = data.TrainCount;
        foreach (var (margin, smoothed, norm) in new[]
        {
            (checkpoint.MarginL1!.Value, checkpoint.SmoothedMarginL1!.Value, checkpoint.NormL1),
            (checkpoint.MarginL2!.Value, checkpoint.SmoothedMarginL2!.Value, checkpoint.NormL2),
            (checkpoint.MarginLinf!.Value, checkpoint.SmoothedMarginLinf!.Value, checkpoint.NormLinf),
        })
        {
            Assert.True(smoothed <= margin, $"smoothed {smoothed} > margin {margin}");
            Assert.True(margin <= smoothed + Math.Log(n) / (norm * norm) + 1e-12, $"margin {margin} > smoothed {smoothed} + log n / norm^2");
        }
    }

    [Fact]
    public void A_zero_network_has_null_margins_not_nan()
    {
        using var scope = NewDisposeScope();
        using var data = DatasetLoader.Load(new SyntheticDatasetSpec(10, 4, 0.2, 1, 0));
        using var model = new HomogeneousMlp(new ModelSpec(2, 5, InitKind.Zeros, 1), data.Dim, 1);
        var (checkpoint, _) = Measure(model, data);
        Assert.Null(checkpoint.MarginL2);
        Assert.Equal(0, checkpoint.NormL2);
        Assert.Equal(10, checkpoint.Loss, 9);
    }

    [Fact]
    public void Loss_head_stays_finite_when_margins_are_huge()
    {
        using var scope = NewDisposeScope();
        var outputs = tensor(new float[] { 1e4f, -2e4f, 5e3f }).unsqueeze(1);
        var labels = tensor(new float[] { 1, -1, 1 });
        foreach (var loss in new[] { LossKind.Exponential, LossKind.Logistic })
        {
            var head = new MarginObjective(loss, Reduction.Sum).Evaluate(outputs, labels, withGradient: true);
            Assert.Equal(-5e3, head.LogLoss, 1e-3);
            Assert.True(head.OutputGradient!.isfinite().all().item<bool>());
            Assert.True(head.OutputGradient!.abs().max().item<float>() > 0);
        }
    }
}
