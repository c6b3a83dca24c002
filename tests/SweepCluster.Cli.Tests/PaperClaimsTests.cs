using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A small version of sweeps/flavors-synthetic.yaml run through the cluster, then checked against the
/// qualitative claims of Tsilivis, Vardi and Kempe (2024) using only what a user gets from `curves` and
/// `results`. The numbers behind each check are in its failure message.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class PaperClaimsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-paper-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly Dictionary<string, string> OwnSmoothedMargin = new()
    {
        ["gd"] = "smoothed_margin_l2",
        ["sign"] = "smoothed_margin_linf",
        ["coordinate"] = "smoothed_margin_l1",
    };

    [Fact]
    public void Each_flavor_grows_its_own_margin_and_ends_with_the_largest_in_its_norm()
    {
        var sweep = File.ReadAllText(Path.Combine(Repository.Root(), "sweeps", "flavors-synthetic.yaml"))
            .Replace("study: flavors-synthetic", "study: paper")
            .Replace("test: 500", "test: 0")
            .Replace("steps: 20000", "steps: 6000")
            .Replace("checkpoint_every: 100", "checkpoint_every: 20")
            .Replace("seed: [0, 1, 2]", "seed: [0, 1]");
        Assert.Contains("steps: 6000", sweep);
        Assert.Contains("test: 0", sweep);
        File.WriteAllText(Path.Combine(_folder, "paper.yaml"), sweep);
        var run = Cli.Run(_folder, "run", "paper.yaml");
        Assert.True(run.ExitCode == 0, run.Stderr);

        // Claim 1: once the training set is fit, each steepest-descent flavor's smoothed margin in its own norm does not decrease.
        var curves = Cli.Run(_folder, "curves", "paper", "--format", "jsonl");
        Assert.Equal(0, curves.ExitCode);
        var byTrial = curves.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .GroupBy(c => c.GetProperty("trial_id").GetString()!);
        foreach (var trial in byTrial)
        {
            var algorithm = trial.First().GetProperty("algorithm").GetString()!;
            if (!OwnSmoothedMargin.TryGetValue(algorithm, out var metric))
            {
                continue;
            }
            var fitted = trial.OrderBy(c => c.GetProperty("step").GetInt64()).SkipWhile(c => c.GetProperty("train_accuracy").GetDouble() < 1).ToList();
            Assert.True(fitted.Count >= 5, $"{algorithm} trial {trial.Key} fit the data too late to check ({fitted.Count} checkpoints after)");
            for (var i = 1; i < fitted.Count; i++)
            {
                var before = fitted[i - 1].GetProperty(metric).GetDouble();
                var after = fitted[i].GetProperty(metric).GetDouble();
                Assert.True(after >= before - 1e-9 * Math.Abs(before),
                    $"{algorithm} trial {trial.Key}: {metric} fell from {before:R} at step {fitted[i - 1].GetProperty("step")} to {after:R} at step {fitted[i].GetProperty("step")}");
            }
        }

        // Claim 2: at the end, among gd, sign and coordinate, each has the largest normalized margin in its own norm.
        var results = Cli.Run(_folder, "results", "paper", "--metric", "margin_l1,margin_l2,margin_linf", "--format", "json");
        Assert.Equal(0, results.ExitCode);
        var mean = JsonDocument.Parse(results.Stdout).RootElement.GetProperty("groups").EnumerateArray().ToDictionary(
            g => g.GetProperty("key").GetProperty("algorithm").GetString()!,
            g => g.GetProperty("metrics").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetProperty("mean").GetDouble()));
        foreach (var (winner, metric) in new[] { ("gd", "margin_l2"), ("sign", "margin_linf"), ("coordinate", "margin_l1") })
        {
            var table = string.Join(", ", OwnSmoothedMargin.Keys.Select(a => $"{a} {mean[a][metric]:G4}"));
            Assert.True(OwnSmoothedMargin.Keys.Where(a => a != winner).All(a => mean[winner][metric] > mean[a][metric]), $"{metric}: expected {winner} largest, found {table}");
        }

        // Claim 3, per seed: Adam with eps = 0 at this learning rate is not sign descent. Its l-infinity margin lies
        // between gd's and sign's, and nearer gd's on a log scale (the margins span decades).
        var perSeed = Cli.Run(_folder, "results", "paper", "--metric", "margin_linf", "--group-by", "algorithm,seed", "--format", "json");
        Assert.Equal(0, perSeed.ExitCode);
        var linf = JsonDocument.Parse(perSeed.Stdout).RootElement.GetProperty("groups").EnumerateArray().ToDictionary(
            g => (g.GetProperty("key").GetProperty("algorithm").GetString()!, g.GetProperty("key").GetProperty("seed").GetInt32()),
            g => g.GetProperty("metrics").GetProperty("margin_linf").GetProperty("mean").GetDouble());
        foreach (var seed in new[] { 0, 1 })
        {
            var (gd, adam, sign) = (linf[("gd", seed)], linf[("adam", seed)], linf[("sign", seed)]);
            var numbers = $"seed {seed} margin_linf: gd {gd:G4}, adam {adam:G4}, sign {sign:G4}";
            Assert.True(gd < adam && adam < sign, numbers);
            Assert.True(Math.Log(adam / gd) < Math.Log(sign / adam), numbers);
        }
    }
}
