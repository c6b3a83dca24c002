using System.Diagnostics;
using System.Text.Json;
using SweepCluster.Training;
using SweepCluster.Training.Data;
using SweepCluster.Training.Metrics;
using SweepCluster.Training.Model;
using SweepCluster.Trials;
using static TorchSharp.torch;

namespace SweepCluster.Training.Benchmarks;

/// <summary>
/// The TorchSharp side, in its own process: the paper's setting (Fashion-MNIST classes 0 and 6, or
/// synthetic inputs of the same shape when the package is absent; 250 points, 784-784-1, init scale 0.01,
/// summed exponential loss, full batch, 1 torch thread), milliseconds per step of each algorithm.
/// </summary>
internal static class TorchSharpSide
{
    public const string Flag = "--torchsharp-side";

    public static void Run(int steps)
    {
        DatasetSpec dataset = Directory.Exists(IdxDatasetSpec.DefaultPath)
            ? new IdxDatasetSpec(IdxDatasetSpec.DefaultPath, [0, 6], 250, 0, 0)
            : new SyntheticDatasetSpec(250, 784, 0.1, 0, 0);
        (AlgorithmKind Kind, double Lr, string Name)[] algorithms =
        [
            (AlgorithmKind.Gd, 1e-4, "gd"), (AlgorithmKind.Sign, 1e-12, "sign"), (AlgorithmKind.Coordinate, 1e-3, "coordinate"), (AlgorithmKind.Adam, 1e-4, "adam"),
        ];
        TrialSpec Spec(AlgorithmKind kind, double lr) => new(
            dataset, new ModelSpec(2, 784, InitKind.Normal, 0.01), LossKind.Exponential, Reduction.Sum, kind, lr,
            StepForm.Dual, LrSchedule.Constant, null, kind == AlgorithmKind.Adam ? new AdamSpec(0.9, 0.999, 0) : null,
            null, steps, steps, new StopSpec(0, null), 0, 1, kind == AlgorithmKind.Coordinate ? false : null);

        using var data = DatasetLoader.Load(dataset);
        var result = new Dictionary<string, object>();
        foreach (var (kind, lr, name) in algorithms)
        {
            using var warm = new TrialRunner(Spec(kind, lr) with { Steps = 3 }, data);
            warm.Run(new NullObserver());
            using var runner = new TrialRunner(Spec(kind, lr), data);
            var clock = Stopwatch.StartNew();
            runner.Run(new NullObserver());
            result[name] = clock.Elapsed.TotalMilliseconds / steps;
            if (kind == AlgorithmKind.Gd)
            {
                result["checkpoint"] = TimeCheckpoint(runner.Model, data);
            }
            if (kind is AlgorithmKind.Gd or AlgorithmKind.Adam)
            {
                result[kind == AlgorithmKind.Gd ? "fingerprint" : "fingerprint_adam"] = TimeFingerprint(runner.Model, Spec(kind, lr));
            }
        }
        result["settings"] = $"data {dataset.GetType().Name}; torch threads {get_num_threads()}, interop threads {get_num_interop_threads()}; " +
            $"OMP_NUM_THREADS {Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "unset"}; loaded: {LoadedLibraries.Describe()}";
        Console.WriteLine(JsonSerializer.Serialize(result));
    }

    /// <summary>What a checkpoint adds to a step: the norms, the margin statistics and the alignments (the step's forward and backward passes are reused).</summary>
    private static double TimeCheckpoint(HomogeneousMlp model, LoadedDataset data)
    {
        using var scope = NewDisposeScope();
        var head = new MarginObjective(LossKind.Exponential, Reduction.Sum).Evaluate(model.Forward(data.TrainX), data.TrainLabels, withGradient: false);
        const int repeats = 200;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            CheckpointMetrics.Compute(i, head, model.Theta, model.Gradient, ownP: 2, model.Depth, null, 0);
        }
        return clock.Elapsed.TotalMilliseconds / repeats;
    }

    /// <summary>What the stall detector adds to every full-batch step: hashing the parameters and the rule's state in place.</summary>
    private static double TimeFingerprint(HomogeneousMlp model, TrialSpec spec)
    {
        using var rule = Optimization.UpdateRule.Create(spec, model.ParameterCount);
        var detector = new StallDetector();
        const int repeats = 200;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++)
        {
            detector.Observe(i, model.Theta, 0.5, rule);
        }
        return clock.Elapsed.TotalMilliseconds / repeats;
    }

    private sealed class NullObserver : ITrialObserver
    {
        public void OnCheckpoint(Checkpoint checkpoint)
        {
        }

        public void OnState(State.TrainingState state)
        {
        }
    }
}

/// <summary>The native math libraries this process has mapped: which BLAS and threading runtime did the work.</summary>
internal static class LoadedLibraries
{
    private static readonly string[] Kinds = ["blas", "mkl", "libgomp", "libiomp", "torch_cpu"];

    public static string Describe() => string.Join(", ", File.ReadLines("/proc/self/maps")
        .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
        .Where(path => path.StartsWith('/'))
        .Select(Path.GetFileName)
        .Where(name => Kinds.Any(k => name!.Contains(k, StringComparison.OrdinalIgnoreCase)))
        .Distinct());
}
