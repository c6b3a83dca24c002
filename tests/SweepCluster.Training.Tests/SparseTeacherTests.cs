using System.Diagnostics;
using System.Globalization;
using SweepCluster.Training.Data;
using SweepCluster.Trials;

namespace SweepCluster.Training.Tests;

/// <summary>
/// On linear data whose l1, l2 and l-infinity maximum-margin separators differ (a sparse teacher), each
/// flavor of steepest descent on a linear model approaches the maximum margin of its own norm, and not of
/// the others. The maxima come from a linear program (l1, l-infinity) and a quadratic program (l2) in SciPy.
/// </summary>
public sealed class SparseTeacherTests
{
    private const string Python = "/usr/bin/python3";

    private static readonly SparseTeacherDatasetSpec Data = new(N: 100, Dim: 40, Nonzeros: 3, Margin: 0.1, Seed: 5, Test: 0);

    private static Dictionary<string, double> MaximumMargins()
    {
        if (!File.Exists(Python) || Process.Start(new ProcessStartInfo(Python, ["-c", "import scipy"]) { RedirectStandardError = true }) is not { } probe
            || !probe.WaitForExit(60_000) || probe.ExitCode != 0)
        {
            Assert.Skip("SciPy for /usr/bin/python3 is not installed (Debian's python3-scipy): the maximum margins need it.");
        }
        var csv = Path.Combine(Path.GetTempPath(), $"sweepcluster-sparse-{Guid.NewGuid():N}.csv");
        try
        {
            using (var data = DatasetLoader.Load(Data))
            {
                var x = data.TrainX.data<float>().ToArray();
                var y = data.TrainLabels.data<float>().ToArray();
                var lines = new List<string> { string.Join(",", Enumerable.Range(0, Data.Dim).Select(j => $"x{j}")) + ",label" };
                for (var i = 0; i < Data.N; i++)
                {
                    lines.Add(string.Join(",", x.Skip(i * Data.Dim).Take(Data.Dim).Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + (y[i] > 0 ? ",1" : ",-1"));
                }
                File.WriteAllLines(csv, lines);
            }
            var script = Path.Combine(AppContext.BaseDirectory, "max_margins.py");
            using var python = Process.Start(new ProcessStartInfo(Python, [script, csv]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = python.StandardOutput.ReadToEnd();
            var error = python.StandardError.ReadToEnd();
            python.WaitForExit();
            Assert.True(python.ExitCode == 0, error);
            var words = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return Enumerable.Range(0, 3).ToDictionary(k => words[2 * k], k => double.Parse(words[2 * k + 1], CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(csv);
        }
    }

    private static Checkpoint Train(AlgorithmKind algorithm, double lr)
    {
        var spec = Specs.Linear(Data, algorithm, lr, steps: 100_000, checkpointEvery: 1000);
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        var observer = new RecordingObserver();
        runner.Run(observer, TestContext.Current.CancellationToken);
        return observer.Checkpoints[^1];
    }

    [Fact]
    public void Each_flavor_approaches_its_own_norms_maximum_margin_and_not_the_others()
    {
        var maximum = MaximumMargins();
        var reached = new Dictionary<string, Checkpoint>
        {
            ["l2"] = Train(AlgorithmKind.Gd, 0.2),
            // Larger loss-scaled steps reach the loss floor before the margin settles (0.05: 66% of the maximum at step 326).
            ["linf"] = Train(AlgorithmKind.Sign, 0.003),
            ["l1"] = Train(AlgorithmKind.Coordinate, 0.2),
        };
        double Share(Checkpoint c, string norm) => (norm switch { "l1" => c.MarginL1, "l2" => c.MarginL2, _ => c.MarginLinf })!.Value / maximum[norm];
        var table = string.Join("; ", reached.Select(r => $"{r.Key}-steepest at step {r.Value.Step}: " + string.Join(", ", maximum.Keys.Select(n => $"{n} {Share(r.Value, n):P1}"))));
        foreach (var (own, checkpoint) in reached)
        {
            Assert.True(Share(checkpoint, own) >= 0.97, $"own norm {own}: {table}");
            foreach (var other in maximum.Keys.Where(n => n != own))
            {
                Assert.True(Share(checkpoint, other) < Share(reached[other], other), $"{own}-steepest in {other}: {table}");
            }
        }
    }
}
