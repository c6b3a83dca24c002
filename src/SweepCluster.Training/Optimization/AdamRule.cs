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
    }

    public override IReadOnlyDictionary<string, Tensor> State =>
        new Dictionary<string, Tensor> { ["adam.exp_avg"] = _m, ["adam.exp_avg_sq"] = _v };

    public override void Apply(Tensor theta, Tensor scaledGradient, double logLoss, long stepIndex)
    {
        using var noGrad = no_grad();
        var loss = Math.Exp(logLoss);
        var g = _gradient.copy_(scaledGradient).mul_(loss);
        var t = stepIndex + 1;
        _m.mul_(_spec.Beta1).add_(g, alpha: 1 - _spec.Beta1);
        _v.mul_(_spec.Beta2).addcmul_(g, g, value: 1 - _spec.Beta2);
        var lr = _schedule == LrSchedule.LossScaled ? _lr / loss : _lr;
        var stepSize = Checked(lr / (1 - Math.Pow(_spec.Beta1, t)), stepIndex);
        // PyTorch's arrangement: m / (sqrt(v) / sqrt(1 - beta2^t) + eps) * lr / (1 - beta1^t).
        var denominator = _work.copy_(_v).sqrt_().div_(Math.Sqrt(1 - Math.Pow(_spec.Beta2, t))).add_(_spec.Eps);
        if (_spec.Eps > 0)
        {
            theta.addcdiv_(_m, denominator, value: -stepSize);
            return;
        }
        // A zero denominator means v = 0: a coordinate with no gradient yet (0/0) or one whose g^2
        // underflowed (m/0). Either way it does not move.
        var update = denominator.reciprocal_().mul_(_m).nan_to_num_(0, 0, 0);
        theta.add_(update, alpha: -stepSize);
    }

    public override void Dispose()
    {
        _m.Dispose();
        _v.Dispose();
        _gradient.Dispose();
        _work.Dispose();
        base.Dispose();
    }
}
