using System.Globalization;
using System.Text;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The paper's own network (784-784-1, Adam and gd) on a real loopback cluster of a coordinator and two
/// worker processes, with training states of 2.5 MB (gd) and 7.4 MB (Adam): far more than one message of
/// the transport may carry. Real Fashion-MNIST when Debian's dataset-fashion-mnist is installed, else a
/// 784-feature CSV written here. Every scenario must end with every checkpoint equal, bit for bit, to an
/// undisturbed one-process run.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class PaperScaleClusterTests : IDisposable
{
    private const string FashionMnist = "/usr/share/datasets/fashion-mnist";
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-paper-scale-").FullName;
    private readonly LoopbackCluster _cluster;

    public PaperScaleClusterTests() => _cluster = new LoopbackCluster(_folder);

    public void Dispose()
    {
        _cluster.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Dataset(string folder)
    {
        if (File.Exists(Path.Combine(FashionMnist, "train-images-idx3-ubyte.gz")))
        {
            return $"{{kind: idx, path: {FashionMnist}, classes: [0, 6], train: 250, test: 200, seed: 0}}";
        }
        // 784 features, labels from a random hyperplane: the same shapes as the paper's data.
        var random = new Random(7);
        var csv = new StringBuilder();
        var normal = Enumerable.Range(0, 784).Select(_ => random.NextDouble() - 0.5).ToArray();
        for (var row = 0; row < 120; row++)
        {
            var x = Enumerable.Range(0, 784).Select(_ => random.NextDouble()).ToArray();
            var label = x.Zip(normal, (a, b) => a * b).Sum() >= 0 ? 1 : -1;
            csv.AppendLine(string.Join(',', x.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + $",{label}");
        }
        // Under the workers' default data root, data/ in their working folder, where they look it up.
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        File.WriteAllText(Path.Combine(folder, "data", "paper-shaped.csv"), csv.ToString());
        return "{kind: csv, path: paper-shaped.csv}";
    }

    private static string Sweep(string folder) => $$"""
        study: paper
        dataset: {{Dataset(folder)}}
        model: {depth: 2, width: 784, init: normal, init_scale: 0.01}
        loss: exponential
        reduction: sum
        steps: 300
        checkpoint_every: 20
        grid:
          optimizer:
            - {algorithm: adam, lr: 0.0001, eps: 0}
            - {algorithm: gd, lr: 0.00005}
          seed: [0, 1]
        """;

    /// <summary>The undisturbed run's checkpoints, computed once for every scenario (the engine is deterministic).</summary>
    private static readonly Lazy<List<string>> Reference = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("sweepcluster-paper-scale-reference-").FullName;
        File.WriteAllText(Path.Combine(folder, "s.yaml"), Sweep(folder));
        var run = Cli.Run(folder, "run", "s.yaml", "--slots", "2");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return Checkpoints(folder, null);
    });

    /// <summary>Every stored checkpoint as a CSV row without its wall-clock time, in trial and step order.</summary>
    private static List<string> Checkpoints(string folder, string? store)
    {
        var curves = store is null ? Cli.Run(folder, "curves", "paper") : Cli.Run(folder, "curves", "paper", "--store", store);
        Assert.True(curves.ExitCode == 0, curves.Stderr);
        var lines = curves.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => header[i] != "wall_ms").ToArray();
        return lines.Select(l => l.Split(',')).Select(cells => string.Join(',', keep.Select(i => cells[i]))).Order(StringComparer.Ordinal).ToList();
    }

    [Theory]
    [InlineData("nothing", "sqlite")]
    [InlineData("worker", "sqlite")]
    [InlineData("coordinator", "sqlite")]
    [InlineData("worker", "postgres")]
    public void The_paper_network_runs_on_a_cluster_and_a_killed_node_changes_no_checkpoint(string killed, string storeKind)
    {
        using var pg = storeKind == "postgres" ? PostgresServer.TryStart() : null;
        if (storeKind == "postgres" && pg is null)
        {
            Assert.Skip("PostgreSQL is not installed (Debian's postgresql-15): this test starts its own server.");
        }
        var expected = Reference.Value;
        var store = pg?.ConnectionString ?? Path.Combine(_folder, "cluster.db");
        var (coordinatorPort, coordinator, workers) = _cluster.StartAndSubmit(store, Sweep(_folder));

        if (killed != "nothing")
        {
            // Once a training state (megabytes, in chunks) is recorded: the killed node's trial must continue from it.
            var saved = DateTime.UtcNow + TimeSpan.FromMinutes(3);
            while (DateTime.UtcNow < saved && JournalEvents.Read<Protocol.TrialStateSaved>(store).Count == 0)
            {
                Thread.Sleep(200);
            }
            Assert.True(JournalEvents.Read<Protocol.TrialStateSaved>(store).Count > 0, $"no state was recorded\n{_cluster.Output()}");
            if (killed == "worker")
            {
                // The worker whose trial's state was recorded first.
                var node = JournalEvents.Read<Protocol.TrialAssigned>(store)
                    .First(a => a.GetProperty("trial_id").GetString() == JournalEvents.Read<Protocol.TrialStateSaved>(store)[0].GetProperty("trial_id").GetString())
                    .GetProperty("node").GetString()!;
                workers[LoopbackCluster.PortOf(node, workers.Keys)].Kill();
            }
            else
            {
                coordinator.Kill();
                coordinator.WaitForExit();
                Thread.Sleep(1000);
                _cluster.StartCoordinator(coordinatorPort, store, [coordinatorPort, .. workers.Keys]);
            }
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(6);
        Dictionary<string, System.Text.Json.JsonElement> trials;
        do
        {
            Thread.Sleep(2000);
            trials = StudyJson.Trials(_folder, "paper", store);
        }
        while (trials.Values.Any(t => t.GetProperty("status").GetString() is "pending" or "running") && DateTime.UtcNow < deadline);
        var unfinished = trials.Where(t => t.Value.GetProperty("status").GetString() != "completed").Select(t => $"{t.Key}: {t.Value}").ToList();
        Assert.True(unfinished.Count == 0, $"not completed after the deadline:\n{string.Join('\n', unfinished)}\n{_cluster.Output()}");
        Assert.DoesNotContain(_cluster.Lines, l => l.Contains("OversizedPayload", StringComparison.Ordinal));

        if (killed == "worker")
        {
            // Some trial's second attempt started from a recorded state, not from step 0.
            Assert.Contains(JournalEvents.Read<Protocol.TrialAssigned>(store), a => a.GetProperty("attempt").GetInt32() > 1 && a.GetProperty("from_step").ValueKind == System.Text.Json.JsonValueKind.Number && a.GetProperty("from_step").GetInt64() > 0);
        }
        Assert.Equal(expected, Checkpoints(_folder, store));
    }
}
