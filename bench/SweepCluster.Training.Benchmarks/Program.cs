using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SweepCluster.Training;
using SweepCluster.Training.Data;
using SweepCluster.Training.Metrics;
using SweepCluster.Training.Model;
using SweepCluster.Trials;
using static TorchSharp.torch;

// The paper's setting: Fashion-MNIST classes 0 and 6 (synthetic inputs of the same shape when the
// package is absent), 250 points, 784-784-1, init scale 0.01, summed exponential loss, full batch, 1 thread.
// Each round times every algorithm in TorchSharp, then runs the PyTorch peer with one true BLAS thread
// (OPENBLAS_NUM_THREADS=1) and as `torch.set_num_threads(1)` leaves it (Debian's pthread OpenBLAS then
// still uses every core). Medians over rounds; ratios are TorchSharp / PyTorch.
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40;
var python = Environment.GetEnvironmentVariable("SWEEPCLUSTER_BENCH_PYTHON") ?? "/usr/bin/python3";

DatasetSpec dataset = Directory.Exists(IdxDatasetSpec.DefaultPath)
    ? new IdxDatasetSpec(IdxDatasetSpec.DefaultPath, [0, 6], 250, 0, 0)
    : new SyntheticDatasetSpec(250, 784, 0.1, 0, 0);
Console.WriteLine($"data: {dataset}");
(AlgorithmKind Kind, double Lr, string Name)[] algorithms =
[
    (AlgorithmKind.Gd, 1e-4, "gd"), (AlgorithmKind.Sign, 1e-12, "sign"), (AlgorithmKind.Coordinate, 1e-3, "coordinate"), (AlgorithmKind.Adam, 1e-4, "adam"),
];
TrialSpec Spec(AlgorithmKind kind, double lr) => new(
    dataset, new ModelSpec(2, 784, InitKind.Normal, 0.01), LossKind.Exponential, Reduction.Sum, kind, lr,
    StepForm.Dual, LrSchedule.Constant, null, kind == AlgorithmKind.Adam ? new AdamSpec(0.9, 0.999, 0) : null,
    null, steps, steps, new StopSpec(0, null), 0, 1);

using var data = DatasetLoader.Load(dataset);
var samples = new Dictionary<string, List<double>>();
void Add(string key, double value) => (samples.TryGetValue(key, out var list) ? list : samples[key] = []).Add(value);

for (var round = 0; round < rounds; round++)
{
    foreach (var (kind, lr, name) in algorithms)
    {
        using var warm = new TrialRunner(Spec(kind, lr) with { Steps = 3 }, data);
        warm.Run(new NullObserver());
        using var runner = new TrialRunner(Spec(kind, lr), data);
        var clock = Stopwatch.StartNew();
        runner.Run(new NullObserver());
        Add($"torchsharp.{name}", clock.Elapsed.TotalMilliseconds / steps);
        if (kind == AlgorithmKind.Gd)
        {
            Add("torchsharp.checkpoint", TimeCheckpoint(runner.Model, data));
        }
    }
    foreach (var (label, env) in new[] { ("pytorch-1-blas-thread", "1"), ("pytorch-default-blas", (string?)null) })
    {
        var peer = RunPeer(python, env, steps);
        if (peer is null)
        {
            continue;
        }
        foreach (var (_, _, name) in algorithms)
        {
            Add($"{label}.{name}", peer.RootElement.GetProperty(name).GetDouble());
        }
        Add($"{label}.version", 0);
        Console.WriteLine($"round {round + 1}: {label} torch {peer.RootElement.GetProperty("torch").GetString()}");
    }
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
double? Get(string key) => samples.TryGetValue(key, out var v) ? Median(v) : null;

Console.WriteLine();
Console.WriteLine($"| step (ms, median of {rounds} rounds x {steps} steps) | TorchSharp | PyTorch, 1 BLAS thread | ratio | PyTorch, default BLAS threads | ratio |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
foreach (var (_, _, name) in algorithms)
{
    var ts = Get($"torchsharp.{name}")!.Value;
    var one = Get($"pytorch-1-blas-thread.{name}");
    var all = Get($"pytorch-default-blas.{name}");
    Console.WriteLine($"| {name} | {ts:F2} | {one:F2} | {(one is null ? "-" : (ts / one.Value).ToString("F2", CultureInfo.InvariantCulture))} | {all:F2} | {(all is null ? "-" : (ts / all.Value).ToString("F2", CultureInfo.InvariantCulture))} |");
}
var checkpoint = Get("torchsharp.checkpoint")!.Value;
Console.WriteLine($"| one checkpoint's metrics (TorchSharp) | {checkpoint:F3} | | checkpoint / gd step = {checkpoint / Get("torchsharp.gd")!.Value:F3} | | |");

static double TimeCheckpoint(HomogeneousMlp model, LoadedDataset data)
{
    // What a checkpoint adds to a step: the step's forward pass is reused, so this is the norms and
    // the margin statistics over the training margins.
    using var scope = NewDisposeScope();
    var head = new MarginObjective(LossKind.Exponential, Reduction.Sum).Evaluate(model.Forward(data.TrainX), data.TrainLabels, withGradient: false);
    const int repeats = 200;
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < repeats; i++)
    {
        CheckpointMetrics.Compute(i, head, CheckpointMetrics.Measure(model.Theta), model.Depth, null, 0);
    }
    return clock.Elapsed.TotalMilliseconds / repeats;
}

static JsonDocument? RunPeer(string python, string? blasThreads, int steps)
{
    var script = Path.Combine(AppContext.BaseDirectory, "pytorch_step.py");
    var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { script, "1", steps.ToString(CultureInfo.InvariantCulture), "3" })
    {
        info.ArgumentList.Add(a);
    }
    if (blasThreads is not null)
    {
        info.Environment["OPENBLAS_NUM_THREADS"] = blasThreads;
    }
    try
    {
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"PyTorch peer failed ({error.Trim()}); install python3-torch and libopenblas0-pthread.");
            return null;
        }
        return JsonDocument.Parse(output);
    }
    catch (System.ComponentModel.Win32Exception)
    {
        Console.WriteLine($"{python} not found; install python3-torch and libopenblas0-pthread for the PyTorch peer.");
        return null;
    }
}

internal sealed class NullObserver : ITrialObserver
{
    public void OnCheckpoint(Checkpoint checkpoint)
    {
    }

    public void OnState(SweepCluster.Training.State.TrainingState state)
    {
    }
}
