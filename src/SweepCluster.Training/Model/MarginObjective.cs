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
/// sizes need. The head also gives the numerator of Lyu and Li's (2020) smoothed margin, the quantity their
/// monotonicity result is about: with the summed loss L written as sum_i exp(-f(q_i)), it is f^-1(log 1/L);
/// -log L for the exponential losses and -log(e^L - 1) for the logistic and cross-entropy losses.
/// </summary>
public sealed class MarginObjective
{
    // Below this z, log(log1p(exp(z))) is evaluated as z - exp(z)/2, whose error is O(exp(2z)).
    private const double LogSoftplusSwitch = -15.0;

    // Held for the process: see HeldScalars.
    private static readonly Scalar SwitchScalar = LogSoftplusSwitch.ToScalar();
    private static readonly Scalar Half = 0.5.ToScalar();
    private static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();
    private static readonly Scalar SoftplusThreshold = 20.0.ToScalar();

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
    /// <param name="SmoothedMargin">The smoothed margin's numerator for this loss, from the summed loss whatever the reduction.</param>
    public sealed record Result(double LogLoss, Tensor Margins, Tensor? OutputGradient, double SmoothedMargin);

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
        var logSum = logPerPoint.logsumexp(0);
        var logLoss = logSum;
        if (_reduction == Reduction.Mean)
        {
            using var logCount = Math.Log(outputs.shape[0]).ToScalar();
            logLoss = logSum.sub(logCount);
        }
        Tensor? gradient = null;
        if (withGradient)
        {
            logLoss.backward();
            gradient = f.grad!.to(ScalarType.Float32);
        }
        return new Result(logLoss.item<double>(), margins.detach(), gradient, SmoothedMargin(_loss, logSum.item<double>()));
    }

    /// <summary>f^-1(log 1/L) for the summed loss L = exp(logSum): -log L, or -log(e^L - 1) for the logistic losses.</summary>
    public static double SmoothedMargin(LossKind loss, double logSum)
    {
        if (loss == LossKind.Exponential)
        {
            return -logSum;
        }
        var sum = Math.Exp(logSum);
        // log(e^L - 1), accurate at both ends: log L + log(1 + L/2 + L^2/6) for small L, L + log(1 - e^-L) for large.
        var logExpm1 = sum < 1e-3 ? logSum + Math.Log(1 + sum / 2 + sum * sum / 6)
            : sum > 30 ? sum + Math.Log(1 - Math.Exp(-sum))
            : Math.Log(Math.Exp(sum) - 1);
        return -logExpm1;
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
        // PyTorch's softplus (threshold 20), written out: TorchSharp's makes its beta and threshold on the fly.
        var softplus = where(large.gt(SoftplusThreshold), large, large.clamp_max(SoftplusThreshold).exp().log1p());
        var body = softplus.log();
        return where(z.lt(SwitchScalar), tail, body);
    }
}
