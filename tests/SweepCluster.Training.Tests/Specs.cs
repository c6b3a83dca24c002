using SweepCluster.Trials;

namespace SweepCluster.Training.Tests;

/// <summary>Small trial specs for tests; each test changes what it is about.</summary>
internal static class Specs
{
    public static TrialSpec Synthetic(AlgorithmKind algorithm, double lr, int steps = 60, int width = 16, int depth = 2, int n = 40, int dim = 8) => new(
        new SyntheticDatasetSpec(n, dim, 0.5, Seed: 3, Test: 20),
        new ModelSpec(depth, width, InitKind.Normal, 0.1),
        LossKind.Exponential,
        Reduction.Sum,
        algorithm,
        lr,
        StepForm.Dual,
        LrSchedule.Constant,
        algorithm == AlgorithmKind.Steepest ? 3 : null,
        algorithm == AlgorithmKind.Adam ? new AdamSpec(0.9, 0.999, 1e-8) : null,
        BatchSize: null,
        Steps: steps,
        CheckpointEvery: 10,
        new StopSpec(0, null),
        Seed: 1,
        TorchThreads: 1,
        KinkHold: algorithm == AlgorithmKind.Coordinate ? false : null);

    /// <summary>A linear model from zero on the given data, loss-scaled steps, to the loss floor of 1e-30: where each flavor approaches its own maximum margin.</summary>
    public static TrialSpec Linear(DatasetSpec data, AlgorithmKind algorithm, double lr, int steps, int checkpointEvery) =>
        Synthetic(algorithm, lr, steps: steps, depth: 1) with
        {
            Dataset = data,
            Model = new ModelSpec(1, 1, InitKind.Zeros, 1),
            LrSchedule = LrSchedule.LossScaled,
            CheckpointEvery = checkpointEvery,
            Stop = new StopSpec(1e-30, null),
        };

    public static readonly (AlgorithmKind Algorithm, double Lr)[] EveryAlgorithm =
    [
        (AlgorithmKind.Gd, 0.01), (AlgorithmKind.Sign, 1e-4), (AlgorithmKind.Coordinate, 0.05),
        (AlgorithmKind.Steepest, 0.01), (AlgorithmKind.Adam, 0.01),
    ];
}

internal sealed class RecordingObserver : ITrialObserver
{
    public List<Checkpoint> Checkpoints { get; } = [];

    public List<State.TrainingState> States { get; } = [];

    public void OnCheckpoint(Checkpoint checkpoint) => Checkpoints.Add(checkpoint);

    public void OnState(State.TrainingState state) => States.Add(state);
}
