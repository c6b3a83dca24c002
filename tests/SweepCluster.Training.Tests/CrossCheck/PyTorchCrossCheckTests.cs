using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SweepCluster.Training.Data;
using SweepCluster.Trials;

namespace SweepCluster.Training.Tests.CrossCheck;

/// <summary>
/// Every update rule against an independent PyTorch implementation (Debian's python3-torch), started from
/// the tool's own saved initial state on the same data: every checkpoint's loss, norms and margins agree.
/// The tolerance is float32's: both sides compute the network and its gradient in float32 and the loss
/// head in float64, and differ only in summation order (other kernels, another libtorch), a relative
/// rounding of about 1e-7 per operation. Over 100 steps of a stable trajectory these add up to well under
/// 1e-4 of a quantity's range over the run, while a step size off by 1% moves every later checkpoint by
/// about 1% of its change since the start, far beyond it (the last test shows the check fails then).
/// </summary>
public sealed class PyTorchCrossCheckTests
{
    private const string Python = "/usr/bin/python3";
    private const double Tolerance = 1e-4;
    private const int Steps = 100;
    private const int Every = 10;

    private static readonly string[] Compared =
    [
        "loss", "norm_l1", "norm_l2", "norm_linf", "margin_l1", "margin_l2", "margin_linf",
        "smoothed_margin_l1", "smoothed_margin_l2", "smoothed_margin_linf", "margin_own", "smoothed_margin_own",
        "alignment_l1", "alignment_l2", "alignment_linf", "alignment_own",
    ];

    public static TheoryData<AlgorithmKind, StepForm, LrSchedule, double, LossKind> Rules() => new()
    {
        { AlgorithmKind.Gd, StepForm.Dual, LrSchedule.Constant, 0.02, LossKind.Exponential },
        { AlgorithmKind.Gd, StepForm.Normalized, LrSchedule.Constant, 0.02, LossKind.Exponential },
        { AlgorithmKind.Gd, StepForm.Normalized, LrSchedule.LossScaled, 0.5, LossKind.Exponential },
        { AlgorithmKind.Gd, StepForm.Dual, LrSchedule.Constant, 0.05, LossKind.Logistic },
        { AlgorithmKind.Sign, StepForm.Dual, LrSchedule.Constant, 2e-4, LossKind.Exponential },
        { AlgorithmKind.Sign, StepForm.Normalized, LrSchedule.Constant, 2e-3, LossKind.Exponential },
        { AlgorithmKind.Coordinate, StepForm.Dual, LrSchedule.Constant, 0.02, LossKind.Exponential },
        { AlgorithmKind.Coordinate, StepForm.Normalized, LrSchedule.Constant, 0.02, LossKind.Exponential },
        { AlgorithmKind.Steepest, StepForm.Dual, LrSchedule.Constant, 0.01, LossKind.Exponential },
        { AlgorithmKind.Steepest, StepForm.Normalized, LrSchedule.Constant, 0.01, LossKind.Exponential },
        { AlgorithmKind.Adam, StepForm.Dual, LrSchedule.Constant, 0.01, LossKind.Exponential },
        { AlgorithmKind.Adam, StepForm.Dual, LrSchedule.LossScaled, 0.1, LossKind.Exponential },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Every_checkpoint_agrees_with_pytorch_within_float32_rounding(AlgorithmKind algorithm, StepForm form, LrSchedule schedule, double lr, LossKind loss)
    {
        using var run = new CrossCheckRun(algorithm, form, schedule, lr, loss);
        var ours = run.Ours();
        var theirs = run.PyTorch(lrFactor: 1.0);
        Assert.Equal(ours.Select(c => c["step"]), theirs.Select(c => c["step"]));
        Assert.Null(Disagreement(ours, theirs));
    }

    [Theory]
    [InlineData(AlgorithmKind.Gd)]
    [InlineData(AlgorithmKind.Sign)]
    [InlineData(AlgorithmKind.Coordinate)]
    [InlineData(AlgorithmKind.Adam)]
    public void A_step_size_off_by_one_percent_fails_the_check(AlgorithmKind algorithm)
    {
        var (form, lr) = algorithm == AlgorithmKind.Sign ? (StepForm.Normalized, 2e-3) : (StepForm.Dual, algorithm == AlgorithmKind.Adam ? 0.01 : 0.02);
        using var run = new CrossCheckRun(algorithm, form, LrSchedule.Constant, lr, LossKind.Exponential);
        Assert.NotNull(Disagreement(run.Ours(), run.PyTorch(lrFactor: 1.01)));
    }

    /// <summary>The first quantity that differs by more than the tolerance times its range over the run, or null.</summary>
    private static string? Disagreement(List<Dictionary<string, double>> ours, List<Dictionary<string, double>> theirs)
    {
        foreach (var metric in Compared)
        {
            var range = ours.Concat(theirs).Select(c => Math.Abs(c[metric])).Max();
            for (var i = 0; i < ours.Count; i++)
            {
                var (a, b) = (ours[i][metric], theirs[i][metric]);
                if (Math.Abs(a - b) > Tolerance * range)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"{metric} at step {ours[i]["step"]}: ours {a:R}, PyTorch {b:R} (range {range:G4})");
                }
            }
        }
        return null;
    }

    /// <summary>One trial's data, initial state and config in a temporary folder.</summary>
    private sealed class CrossCheckRun : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-crosscheck-").FullName;
        private readonly TrialSpec _spec;

        public CrossCheckRun(AlgorithmKind algorithm, StepForm form, LrSchedule schedule, double lr, LossKind loss)
        {
            if (!File.Exists(Python) || Process.Start(new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true }) is not { } probe
                || !probe.WaitForExit(60_000) || probe.ExitCode != 0)
            {
                Assert.Skip("PyTorch for /usr/bin/python3 is not installed (Debian's python3-torch): the cross-check needs it.");
            }
            WriteData(Path.Combine(_folder, "train.csv"));
            _spec = new TrialSpec(
                new CsvDatasetSpec(Path.Combine(_folder, "train.csv"), null),
                new ModelSpec(2, 12, InitKind.Normal, 0.5),
                loss, Reduction.Sum, algorithm, lr, form, schedule,
                algorithm == AlgorithmKind.Steepest ? 3 : null,
                algorithm == AlgorithmKind.Adam ? new AdamSpec(0.9, 0.999, schedule == LrSchedule.Constant ? 0 : 1e-8) : null,
                BatchSize: null, Steps: Steps, CheckpointEvery: Every, new StopSpec(0, null), Seed: 3, TorchThreads: 1,
                KinkHold: algorithm == AlgorithmKind.Coordinate ? false : null);
        }

        /// <summary>40 points in 6 dimensions labelled by a fixed two-layer ReLU teacher.</summary>
        private static void WriteData(string path)
        {
            var random = new Random(11);
            var teacher = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 6).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
            var lines = new List<string> { "x1,x2,x3,x4,x5,x6,label" };
            for (var n = 0; n < 40; n++)
            {
                var x = Enumerable.Range(0, 6).Select(_ => Math.Round(random.NextDouble() * 2 - 1, 3)).ToArray();
                var f = teacher.Select((w, k) => (k % 2 == 0 ? 1 : -1) * Math.Max(0, w.Zip(x, (a, b) => a * b).Sum())).Sum();
                lines.Add(string.Join(",", x.Select(v => v.ToString(CultureInfo.InvariantCulture))) + (f >= 0 ? ",1" : ",-1"));
            }
            File.WriteAllLines(path, lines);
        }

        public List<Dictionary<string, double>> Ours()
        {
            using var data = DatasetLoader.Load(_spec.Dataset);
            using var runner = new TrialRunner(_spec, data) { SaveStateEvery = Steps * 10 };
            var observer = new RecordingObserver();
            Assert.Equal(TrialEnd.Completed, runner.Run(observer, TestContext.Current.CancellationToken).End);
            observer.States.Single(s => s.Step == 0).Save(Path.Combine(_folder, "initial.safetensors"));
            return observer.Checkpoints.Select(c =>
                JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(TrialJson.Serialize(c))!
                    .Where(p => p.Value.ValueKind == JsonValueKind.Number)
                    .ToDictionary(p => p.Key, p => p.Value.GetDouble())).ToList();
        }

        public List<Dictionary<string, double>> PyTorch(double lrFactor)
        {
            var config = Path.Combine(_folder, $"config-{lrFactor}.json");
            File.WriteAllText(config, JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["state"] = Path.Combine(_folder, "initial.safetensors"),
                ["data"] = Path.Combine(_folder, "train.csv"),
                ["depth"] = _spec.Model.Depth,
                ["algorithm"] = _spec.Algorithm.ToString().ToLowerInvariant(),
                ["form"] = _spec.Step == StepForm.Dual ? "dual" : "normalized",
                ["schedule"] = _spec.LrSchedule == LrSchedule.Constant ? "constant" : "loss_scaled",
                ["lr"] = _spec.Lr,
                ["lr_factor"] = lrFactor,
                ["loss"] = _spec.Loss == LossKind.Logistic ? "logistic" : "exponential",
                ["p"] = _spec.P,
                ["beta1"] = _spec.Adam?.Beta1,
                ["beta2"] = _spec.Adam?.Beta2,
                ["eps"] = _spec.Adam?.Eps,
                ["steps"] = _spec.Steps,
                ["every"] = _spec.CheckpointEvery,
            }));
            var script = Path.Combine(AppContext.BaseDirectory, "CrossCheck", "pytorch_reference.py");
            using var python = Process.Start(new ProcessStartInfo(Python, [script, config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = python.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var error = python.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            python.WaitForExit();
            Assert.True(python.ExitCode == 0, $"the PyTorch reference failed: {error.Result}");
            return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonSerializer.Deserialize<Dictionary<string, double>>(line)!).ToList();
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
