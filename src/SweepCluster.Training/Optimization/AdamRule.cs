using System.IO.Hashing;
using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Optimization;

/// <summary>
/// Adam with bias correction on the raw gradient g = L * (g / L). eps = 0 is allowed: a coordinate whose
/// gradient has always been zero has m = v = 0 and does not move (0/0 counts as 0, never NaN).
/// </summary>
public sealed class AdamRule : UpdateRule
{
    private readonly double _lr;
    private readonly LrSchedule _schedule;
    private readonly AdamSpec _spec;
    private readonly Tensor _m;
    private readonly Tensor _v;
    private readonly Tensor _gradient;
    private readonly Tensor _work;
    private readonly Scalar _beta1;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _beta2;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _eps;

    public AdamRule(double lr, LrSchedule schedule, AdamSpec spec, long parameterCount)
    {
        _lr = lr;
        _schedule = schedule;
        _spec = spec;
        _m = zeros(parameterCount, ScalarType.Float32);
        _v = zeros(parameterCount, ScalarType.Float32);
        // Reused every step: fresh step-sized temporaries cost more in allocation than in arithmetic.
        _gradient = empty(parameterCount, ScalarType.Float32);
        _work = empty(parameterCount, ScalarType.Float32);
        _beta1 = spec.Beta1.ToScalar();
        _oneMinusBeta1 = (1 - spec.Beta1).ToScalar();
        _beta2 = spec.Beta2.ToScalar();
        _oneMinusBeta2 = (1 - spec.Beta2).ToScalar();
        _eps = spec.Eps.ToScalar();
    }

    public override IReadOnlyDictionary<string, Tensor> State =>
        new Dictionary<string, Tensor> { ["adam.exp_avg"] = _m, ["adam.exp_avg_sq"] = _v };

    public override void AddToFingerprint(XxHash128 hash, long stepIndex)
    {
        hash.Append(_m.bytes);
        hash.Append(_v.bytes);
    }

    public override void Apply(Tensor theta, Tensor scaledGradient, double logLoss, long stepIndex)
    {
        using var noGrad = no_grad();
        var loss = Math.Exp(logLoss);
        using var lossScalar = loss.ToScalar();
        var g = _gradient.copy_(scaledGradient).mul_(lossScalar);
        var t = stepIndex + 1;
        _m.mul_(_beta1).add_(g, alpha: _oneMinusBeta1);
        _v.mul_(_beta2).addcmul_(g, g, value: _oneMinusBeta2);
        var lr = _schedule == LrSchedule.LossScaled ? _lr / loss : _lr;
        using var minusStepSize = (-Checked(lr / (1 - Math.Pow(_spec.Beta1, t)), stepIndex)).ToScalar();
        using var biasCorrection2 = Math.Sqrt(1 - Math.Pow(_spec.Beta2, t)).ToScalar();
        // PyTorch's arrangement: m / (sqrt(v) / sqrt(1 - beta2^t) + eps) * lr / (1 - beta1^t).
        var denominator = _work.copy_(_v).sqrt_().div_(biasCorrection2).add_(_eps, HeldScalars.One);
        if (_spec.Eps > 0)
        {
            theta.addcdiv_(_m, denominator, value: minusStepSize);
            return;
        }
        // A zero denominator means v = 0: a coordinate with no gradient yet (0/0) or one whose g^2
        // underflowed (m/0). Either way it does not move.
        var update = denominator.reciprocal_().mul_(_m).nan_to_num_(0, 0, 0);
        theta.add_(update, alpha: minusStepSize);
    }

    public override void Dispose()
    {
        _m.Dispose();
        _v.Dispose();
        _gradient.Dispose();
        _work.Dispose();
        _beta1.Dispose();
        _oneMinusBeta1.Dispose();
        _beta2.Dispose();
        _oneMinusBeta2.Dispose();
        _eps.Dispose();
        base.Dispose();
    }
}
