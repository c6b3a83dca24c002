using System.IO.Hashing;
using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Optimization;

/// <summary>
/// Steepest descent with respect to a norm over all parameters taken as one vector: gd (l2), sign
/// (l-infinity), coordinate (l1) and steepest (lp). The dual form steps by lr times the dual norm of g
/// along the unit steepest direction; the normalized form steps by lr along the unit direction alone.
/// With the loss-scaled schedule, lr_t = lr / L(theta_t). Coordinate descent is greedy: the coordinate
/// with the largest |g| moves (the first of equals). Only with <c>kink_hold</c> does it hold a coordinate
/// whose one-dimensional minimum is a ReLU kink (<see cref="CoordinateKinks"/>), which is not the paper's rule.
/// </summary>
public sealed class SteepestDescentRule : UpdateRule
{
    private readonly AlgorithmKind _algorithm;
    private readonly double _lr;
    private readonly StepForm _form;
    private readonly LrSchedule _schedule;
    private readonly Scalar? _qScalar;
    private readonly Scalar? _inverseQ;
    private readonly Scalar? _qMinusOne;
    private readonly CoordinateKinks? _kinks;

    public SteepestDescentRule(AlgorithmKind algorithm, double lr, StepForm form, LrSchedule schedule, double? p, bool kinkHold = false)
    {
        _algorithm = algorithm;
        _lr = lr;
        _form = form;
        _schedule = schedule;
        if (algorithm == AlgorithmKind.Coordinate && kinkHold)
        {
            _kinks = new CoordinateKinks();
        }
        if (algorithm == AlgorithmKind.Steepest)
        {
            // The dual exponent q, with 1/p + 1/q = 1, and the powers the step uses.
            var q = p!.Value / (p.Value - 1);
            _qScalar = q.ToScalar();
            _inverseQ = (1 / q).ToScalar();
            _qMinusOne = (q - 1).ToScalar();
        }
    }

    public override void Dispose()
    {
        _qScalar?.Dispose();
        _inverseQ?.Dispose();
        _qMinusOne?.Dispose();
        _kinks?.Dispose();
        base.Dispose();
    }

    public override void ObserveActivations(IReadOnlyList<Tensor> layerInputs) => _kinks?.Observe(layerInputs);

    public override IReadOnlyDictionary<string, Tensor> State => _kinks?.State ?? base.State;

    public override void Restore(IReadOnlyDictionary<string, Tensor> saved)
    {
        if (_kinks is not null)
        {
            if (!saved.ContainsKey(CoordinateKinks.StateKey))
            {
                throw new InvalidDataException("the training state was saved by plain coordinate descent; it cannot resume with the kink hold");
            }
            _kinks.Restore(saved);
        }
        else if (_algorithm == AlgorithmKind.Coordinate && saved.ContainsKey(CoordinateKinks.StateKey))
        {
            throw new InvalidDataException("the training state was saved by coordinate descent with the kink hold; it cannot resume as plain coordinate descent");
        }
    }

    public override long? LastCoordinate => _lastCoordinate;

    public override void AddToFingerprint(XxHash128 hash, long stepIndex) => _kinks?.AddToFingerprint(hash, stepIndex);

    public override KinkHoldCounts? HoldCounts => _kinks is null ? null : new KinkHoldCounts(_kinks.Holds, _kinks.HeldSteps);

    /// <summary>The coordinate the last coordinate-descent step moved (null for the other norms).</summary>
    private long? _lastCoordinate;

    public override void Apply(Tensor theta, Tensor scaledGradient, double logLoss, long stepIndex)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // The step size in front of the direction of g/L: lr_t times L for the dual form (the dual norm
        // scales with g), lr_t alone for the normalized form. lr_t is lr, or lr / L when loss-scaled.
        var lossFactor = (_form, _schedule) switch
        {
            (StepForm.Dual, LrSchedule.Constant) => Math.Exp(logLoss),
            (StepForm.Normalized, LrSchedule.LossScaled) => Math.Exp(-logLoss),
            _ => 1.0,
        };
        var size = _lr * lossFactor;
        var g = scaledGradient;
        switch (_algorithm)
        {
            case AlgorithmKind.Gd:
                if (_form == StepForm.Dual)
                {
                    using var alpha = (-Checked(size, stepIndex)).ToScalar();
                    theta.add_(g, alpha: alpha);
                }
                else
                {
                    var norm = g.mul(g).sum(ScalarType.Float64).sqrt().item<double>();
                    if (norm > 0)
                    {
                        using var alpha = (-Checked(size / norm, stepIndex)).ToScalar();
                        theta.add_(g, alpha: alpha);
                    }
                }
                break;
            case AlgorithmKind.Sign:
                var scale = _form == StepForm.Dual ? g.abs().sum(ScalarType.Float64).item<double>() : 1.0;
                using (var alpha = (-Checked(size * scale, stepIndex)).ToScalar())
                {
                    theta.add_(g.sign(), alpha: alpha);
                }
                break;
            case AlgorithmKind.Coordinate:
                var i = _kinks?.Choose(g, stepIndex) ?? g.abs().argmax().item<long>();
                _lastCoordinate = i;
                var gi = g[i].item<float>();
                var delta = _form == StepForm.Dual ? gi : Math.Sign(gi);
                using (var step = Checked(size * delta, stepIndex).ToScalar())
                {
                    theta[i].sub_(step);
                }
                break;
            case AlgorithmKind.Steepest:
                ApplyLp(theta, g, size, stepIndex);
                break;
            default:
                throw new InvalidOperationException($"{_algorithm} is not a steepest-descent algorithm");
        }
    }

    // u_j = sign(g_j) |g_j|^(q-1) / ||g||_q^(q-1); the dual step is ||g||_q u.
    private void ApplyLp(Tensor theta, Tensor g, double size, long stepIndex)
    {
        var g64 = g.to(ScalarType.Float64);
        var magnitude = g64.abs();
        var normQ = magnitude.pow(_qScalar!).sum().pow(_inverseQ!).item<double>();
        if (normQ == 0)
        {
            return;
        }
        using var norm = normQ.ToScalar();
        var unit = g64.sign().mul_(magnitude.div(norm).pow_(_qMinusOne!));
        var length = _form == StepForm.Dual ? normQ : 1.0;
        using var step = Checked(size * length, stepIndex).ToScalar();
        theta.sub_(unit.mul_(step).to(ScalarType.Float32));
    }
}
