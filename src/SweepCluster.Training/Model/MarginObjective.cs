using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Model;

/// <summary>
/// The loss head, in float64 and in the log domain. For each point, q_i is its margin (y_i f(x_i), or
/// f_{y_i} - max_{j != y_i} f_j with classes) and z_i = log(sum_{j != y_i} exp(f_j - f_{y_i})) (= -q_i for
/// binary labels). The per-point loss is exp(z_i) (exponential) or log(1 + exp(z_i)) (logistic), and the
/// head returns log L = logsumexp_i(log loss_i) (minus log n for the mean) with its gradient with respect
/// to the outputs. Working with log L keeps everything finite however large the margins grow; the
/// gradient of log L is the gradient of L divided by L, which is also exactly what loss-scaled step
/// sizes need.
/// </summary>
public sealed class MarginObjective
{
    // Below this z, log(log1p(exp(z))) is evaluated as z - exp(z)/2, whose error is O(exp(2z)).
    private const double LogSoftplusSwitch = -15.0;

    // TorchSharp makes a native Scalar for every number passed to a tensor operation and leaves it to the
    // finalizer thread; these run every step, so they are made once.
    private static readonly Scalar SwitchScalar = LogSoftplusSwitch.ToScalar();
    private static readonly Scalar Half = 0.5.ToScalar();
    private static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();

    private readonly LossKind _loss;
    private readonly Reduction _reduction;

    public MarginObjective(LossKind loss, Reduction reduction)
    {
        _loss = loss;
        _reduction = reduction;
    }

    /// <summary>What the head computes for one batch.</summary>
    /// <param name="LogLoss">log of the (summed or mean) loss.</param>
    /// <param name="Margins">q_i per point, float64, detached.</param>
    /// <param name="OutputGradient">d log L / d outputs, float32, same shape as the outputs; null unless asked for.</param>
    public sealed record Result(double LogLoss, Tensor Margins, Tensor? OutputGradient);

    public Result Evaluate(Tensor outputs, Tensor labels, bool withGradient)
    {
        using var f = outputs.detach().to(ScalarType.Float64);
        if (withGradient)
        {
            f.requires_grad_(true);
        }
        using var enableGrad = enable_grad(withGradient);
        var (z, margins) = labels.dtype == ScalarType.Int64 ? ClassTerms(f, labels) : BinaryTerms(f, labels);
        var logPerPoint = _loss == LossKind.Exponential ? z : LogSoftplus(z);
        var logLoss = logPerPoint.logsumexp(0);
        if (_reduction == Reduction.Mean)
        {
            logLoss = logLoss - Math.Log(outputs.shape[0]);
        }
        Tensor? gradient = null;
        if (withGradient)
        {
            logLoss.backward();
            gradient = f.grad!.to(ScalarType.Float32);
        }
        return new Result(logLoss.item<double>(), margins.detach(), gradient);
    }

    private static (Tensor Z, Tensor Margins) BinaryTerms(Tensor f, Tensor signs)
    {
        var q = f.squeeze(1) * signs.to(ScalarType.Float64);
        return (-q, q);
    }

    private static (Tensor Z, Tensor Margins) ClassTerms(Tensor f, Tensor classes)
    {
        var own = f.gather(1, classes.unsqueeze(1));
        var isOwn = nn.functional.one_hot(classes, f.shape[1]).to(ScalarType.Bool);
        var others = (f - own).masked_fill(isOwn, NegativeInfinity);
        return (others.logsumexp(1), -others.amax(1));
    }

    private static Tensor LogSoftplus(Tensor z)
    {
        var small = z.clamp_max(SwitchScalar);
        var large = z.clamp_min(SwitchScalar);
        var tail = small - small.exp().mul(Half);
        var body = nn.functional.softplus(large).log();
        return where(z.lt(SwitchScalar), tail, body);
    }
}
