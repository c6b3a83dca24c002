using System.Text.Json.Serialization;

namespace SweepCluster.Trials;

public enum LossKind { Exponential, Logistic }

public enum Reduction { Sum, Mean }

/// <summary>gd is steepest descent in l2, sign in l-infinity, coordinate in l1, steepest in a chosen lp.</summary>
public enum AlgorithmKind { Gd, Sign, Coordinate, Steepest, Adam }

/// <summary>Dual: the unit steepest direction times the dual norm of the gradient (the form the theory uses). Normalized: the unit direction alone.</summary>
public enum StepForm { Dual, Normalized }

public enum LrSchedule { Constant, LossScaled }

public enum InitKind { Normal, Uniform, Zeros }

/// <summary>Bias-free ReLU MLP with <see cref="Depth"/> linear layers; L-homogeneous with L = Depth.</summary>
public sealed record ModelSpec(int Depth, int Width, InitKind Init, double InitScale);

/// <summary>A trial also stops early once the loss falls below <see cref="LossBelow"/> (0: never) or after <see cref="WallSeconds"/> (null: no limit).</summary>
public sealed record StopSpec(double LossBelow, double? WallSeconds);

public sealed record AdamSpec(double Beta1, double Beta2, double Eps);

/// <summary>
/// One training of one network with one algorithm: every key of a trial, resolved.
/// <see cref="KinkHold"/> is set (true or false) on every coordinate trial read from a file, so its id says
/// which rule it runs: greedy coordinate descent as written (false), or with the hold at ReLU kinks (true).
/// It is null for every other algorithm, and on coordinate trials journaled before it existed
/// (<see cref="LegacyCoordinateRule"/> says which rule those ran).
/// </summary>
public sealed record TrialSpec(
    DatasetSpec Dataset,
    ModelSpec Model,
    LossKind Loss,
    Reduction Reduction,
    AlgorithmKind Algorithm,
    double Lr,
    StepForm Step,
    LrSchedule LrSchedule,
    double? P,
    AdamSpec? Adam,
    int? BatchSize,
    int Steps,
    int CheckpointEvery,
    StopSpec Stop,
    int Seed,
    int TorchThreads,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? KinkHold = null);
