using SweepCluster.Training.Model;
using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Tests;

public sealed class BackpropTests
{
    /// <summary>The hand-written backward pass against autograd on the same deep network, binary and multi-class, both losses.</summary>
    [Theory]
    [InlineData(3, 1, LossKind.Exponential, Reduction.Sum)]
    [InlineData(2, 4, LossKind.Logistic, Reduction.Mean)]
    [InlineData(1, 3, LossKind.Exponential, Reduction.Mean)]
    [InlineData(2, 1, LossKind.Logistic, Reduction.Sum)]
    public void Manual_gradient_matches_autograd(int depth, int outputs, LossKind loss, Reduction reduction)
    {
        using var scope = NewDisposeScope();
        using var model = new HomogeneousMlp(new ModelSpec(depth, 7, InitKind.Normal, 0.5), inputs: 5, outputs);
        model.Initialize(InitKind.Normal, 0.5, seed: 4);
        using var generator = new Generator(9);
        var x = randn([12, 5], generator: generator);
        var labels = outputs == 1 ? where(randn([12], generator: generator) > 0, 1f, -1f) : randint(outputs, [12], generator: generator);
        var objective = new MarginObjective(loss, reduction);

        var trace = new List<Tensor>();
        var head = objective.Evaluate(model.Forward(x, trace), labels, withGradient: true);
        model.Backward(head.OutputGradient!, trace);
        var manual = model.Gradient.clone();

        var theta = model.Theta.to(ScalarType.Float64).requires_grad_();
        var a = x.to(ScalarType.Float64);
        long offset = 0;
        for (var l = 0; l < depth; l++)
        {
            var (rows, columns) = model.Shapes[l];
            var w = theta.narrow(0, offset, rows * columns).view(rows, columns);
            offset += rows * columns;
            a = a.matmul(w.t());
            if (l < depth - 1)
            {
                a = a.relu();
            }
        }
        Tensor perPoint;
        if (outputs == 1)
        {
            var q = a.squeeze(1) * labels.to(ScalarType.Float64);
            perPoint = loss == LossKind.Exponential ? (-q).exp() : nn.functional.softplus(-q);
        }
        else
        {
            var logits = a;
            perPoint = loss == LossKind.Logistic
                ? nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.None)
                : (logits - logits.gather(1, labels.unsqueeze(1))).exp().sum(1) - 1;
        }
        var total = reduction == Reduction.Sum ? perPoint.sum() : perPoint.mean();
        total.log().backward();

        Assert.Equal(total.log().item<double>(), head.LogLoss, 6);
        var expected = theta.grad!.to(ScalarType.Float32);
        var error = (manual - expected).abs().max().item<float>();
        var size = expected.abs().max().item<float>();
        Assert.True(error <= 1e-5f * Math.Max(1f, size), $"max gradient error {error} (gradient size {size})");
    }
}
