using System.IO.Hashing;
using SweepCluster.Trials;
using SweepCluster.Training.State;
using static TorchSharp.torch;

namespace SweepCluster.Training.Optimization;

/// <summary>
/// One algorithm's parameter update. Rules receive the gradient of log L (= g / L) together with log L,
/// never g itself, so that the step stays exact when L underflows float32: every steepest-descent
/// direction is 1-homogeneous in g, so the L factor can be applied as a float64 scalar.
/// </summary>
public abstract class UpdateRule : IDisposable
{
    /// <summary>Applies one step to <paramref name="theta"/> in place.</summary>
    /// <param name="theta">All parameters, flat.</param>
    /// <param name="scaledGradient">d log L / d theta, flat.</param>
    /// <param name="logLoss">log L at theta.</param>
    /// <param name="stepIndex">How many updates came before this one.</param>
    public abstract void Apply(Tensor theta, Tensor scaledGradient, double logLoss, long stepIndex);

    /// <summary>Tensors that must be saved to resume exactly (Adam's moments).</summary>
    public virtual IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();

    /// <summary>
    /// Adds to a fingerprint everything that, with the parameters, decides the rule's next steps (Adam's
    /// moments, a held coordinate), so that a repeat of the fingerprint means a repeat of the trajectory.
    /// Counters that only report (how often the hold acted) are left out.
    /// </summary>
    /// <param name="stepIndex">The step whose state this is (the next update is its).</param>
    public virtual void AddToFingerprint(XxHash128 hash, long stepIndex)
    {
    }

    /// <summary>Takes back what <see cref="State"/> saved.</summary>
    public virtual void Restore(IReadOnlyDictionary<string, Tensor> saved)
    {
        using var noGrad = no_grad();
        foreach (var (name, target) in State)
        {
            target.copy_(TrainingState.Required(saved, name, target.shape));
        }
    }

    /// <summary>
    /// The inputs of every layer at the point the next gradient is taken, on the full training set: the
    /// first is the data, the others are ReLU outputs, so they show which side of each kink theta is on.
    /// </summary>
    public virtual void ObserveActivations(IReadOnlyList<Tensor> layerInputs)
    {
    }

    /// <summary>The one coordinate the last step moved, for rules that move one.</summary>
    public virtual long? LastCoordinate => null;

    /// <summary>For coordinate descent with the kink hold: how often a coordinate was held, and at how many steps one was.</summary>
    public virtual KinkHoldCounts? HoldCounts => null;

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    /// <summary>A step size that float32 parameters cannot take means the trial diverged.</summary>
    protected static double Checked(double stepSize, long stepIndex) =>
        double.IsFinite(stepSize) && Math.Abs(stepSize) <= float.MaxValue
            ? stepSize
            : throw new StepOverflowException($"the step size {stepSize:G4} overflowed float32 at step {stepIndex}");

    public static UpdateRule Create(TrialSpec spec, long parameterCount) => spec.Algorithm switch
    {
        AlgorithmKind.Adam => new AdamRule(spec.Lr, spec.LrSchedule, spec.Adam!, parameterCount),
        // The engine never guesses which coordinate rule a spec means (see EngineVersion).
        AlgorithmKind.Coordinate when spec.KinkHold is null => throw new InvalidDataException(
            "a coordinate descent trial must say kink_hold (true or false); this spec says neither"),
        _ => new SteepestDescentRule(spec.Algorithm, spec.Lr, spec.Step, spec.LrSchedule, spec.P, spec.KinkHold == true),
    };
}

/// <summary>How often the kink hold acted, and at how many steps some coordinate was held.</summary>
public readonly record struct KinkHoldCounts(long Holds, long HeldSteps);

/// <summary>An update too large for float32: the trial diverged.</summary>
public sealed class StepOverflowException(string message) : Exception(message);
