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

    public AdamRule(double lr, LrSchedule schedule, AdamSpec spec, long parameterCount)
    {
        _lr = lr;
        _schedule = schedule;
        _spec = spec;
        _m = zeros(parameterCount, ScalarType.Float32);
        _v = zeros(parameterCount, ScalarType.Float32);
    }

    public override IReadOnlyDictionary<string, Tensor> State =>
        new Dictionary<string, Tensor> { ["adam.exp_avg"] = _m, ["adam.exp_avg_sq"] = _v };

    public override void Apply(Tensor theta, Tensor scaledGradient, double logLoss, long stepIndex)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var loss = Math.Exp(logLoss);
        var g = scaledGradient * loss;
        var t = stepIndex + 1;
        _m.mul_(_spec.Beta1).add_(g, alpha: 1 - _spec.Beta1);
        _v.mul_(_spec.Beta2).addcmul_(g, g, value: 1 - _spec.Beta2);
        var lr = _schedule == LrSchedule.LossScaled ? _lr / loss : _lr;
        var mCorrection = 1 - Math.Pow(_spec.Beta1, t);
        var vCorrection = 1 - Math.Pow(_spec.Beta2, t);
        var denominator = (_v / vCorrection).sqrt_().add_(_spec.Eps);
        var update = (_m / mCorrection).div_(denominator);
        update.masked_fill_(denominator.eq(0), 0);
        theta.add_(update, alpha: -lr);
    }

    public override void Dispose()
    {
        _m.Dispose();
        _v.Dispose();
        base.Dispose();
    }
}
