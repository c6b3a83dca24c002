using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>A real three-process cluster on loopback: a coordinator node and two worker nodes.</summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class ClusterChaosTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-chaos-").FullName;
    private readonly LoopbackCluster _cluster;

    public ClusterChaosTests() => _cluster = new LoopbackCluster(_folder);

    public void Dispose()
    {
        _cluster.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Sweep(string study) => $$"""
        study: {{study}}
        dataset: {kind: synthetic, n: 40, dim: 8, margin: 0.2, seed: 1}
        model: {depth: 2, width: 32, init_scale: 0.1}
        steps: 30000
        checkpoint_every: 100
        grid:
          optimizer:
            - {algorithm: gd, lr: 0.02}
            - {algorithm: coordinate, lr: 0.02}
          seed: [0, 1]
        """;

    /// <summary>
    /// The reference: the same sweep run undisturbed in one process. Computed once per test class run and
    /// shared by the scenarios (the engine is deterministic: every run of a trial gives the same checkpoints).
    /// </summary>
    private static readonly Lazy<Dictionary<string, JsonElement>> Reference = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("sweepcluster-chaos-reference-").FullName;
        File.WriteAllText(Path.Combine(folder, "s.yaml"), Sweep("chaos"));
        Assert.Equal(0, Cli.Run(folder, "run", "s.yaml").ExitCode);
        return StudyJson.Trials(folder, "chaos");
    });

    /// <summary>
    /// A coordinator and two one-slot workers (four trials), killed with SIGKILL once both workers are
    /// training and have saved state: a worker, the coordinator (restarted on the same port and store,
    /// joining the workers' cluster), or a worker and the coordinator together. The study must finish with
    /// every trial completed once, its checkpoints complete and unique, and the results of the undisturbed run.
    /// </summary>
    [Theory]
    [InlineData("worker", "sqlite")]
    [InlineData("coordinator", "sqlite")]
    [InlineData("both", "sqlite")]
    [InlineData("both", "postgres")]
    public void A_node_killed_mid_study_loses_nothing_and_the_results_equal_an_undisturbed_run(string killed, string storeKind)
    {
        using var pg = storeKind == "postgres" ? PostgresServer.TryStart() : null;
        if (storeKind == "postgres" && pg is null)
        {
            Assert.Skip("PostgreSQL is not installed (Debian's postgresql-15): this test starts its own server.");
        }
        var expected = Reference.Value;
        var store = pg?.ConnectionString ?? Path.Combine(_folder, "cluster.db");
        var (coordinatorPort, coordinator, workers) = _cluster.StartAndSubmit(store, Sweep("chaos"));

        // The victim is the worker of a trial that has a recorded state and is less than half done, read from
        // the journal (the query tables may lag): killing it must leave something to continue elsewhere.
        var victimPort = WorkerOfAHalfDoneTrial(store, workers.Keys);
        var survivorPort = workers.Keys.Single(p => p != victimPort);
        if (killed is "worker" or "both")
        {
            workers[victimPort].Kill();
        }
        if (killed is "coordinator" or "both")
        {
            coordinator.Kill();
            coordinator.WaitForExit();
            Thread.Sleep(1000);
            // Restarted on its port and store, with itself and a worker as seeds: it joins the workers' cluster
            // if there is one, else forms a new one (when two of three nodes die, the survivor leaves and rejoins).
            _cluster.StartCoordinator(coordinatorPort, store, killed == "both" ? [coordinatorPort, survivorPort] : [coordinatorPort, .. workers.Keys]);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(7);
        Dictionary<string, JsonElement> actual;
        do
        {
            Thread.Sleep(2000);
            actual = StudyJson.Trials(_folder, "chaos", store);
        }
        while (actual.Values.Any(t => t.GetProperty("status").GetString() is "pending" or "running") && DateTime.UtcNow < deadline);

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var unfinished = actual.Where(t => t.Value.GetProperty("status").GetString() != "completed").Select(t => $"{t.Key}: {t.Value}").ToList();
        Assert.True(unfinished.Count == 0, $"not completed after the deadline:\n{string.Join('\n', unfinished)}\nthe nodes' last output:\n{_cluster.Output()}");
        if (killed is "worker" or "both")
        {
            Assert.Contains(actual.Values, t => t.GetProperty("attempt").GetInt32() > 1);
        }
        var curves = Cli.Run(_folder, "curves", "chaos", "--store", store);
        Assert.Equal(0, curves.ExitCode);
        var lines = curves.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stepColumn = Array.IndexOf(lines[0].Split(','), "step");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var (id, trial) in expected)
        {
            Assert.Equal("completed", actual[id].GetProperty("status").GetString());
            Assert.Equal(trial.GetProperty("checkpoint_count").GetInt64(), actual[id].GetProperty("checkpoint_count").GetInt64());
            // Every step once: as many distinct stored steps as checkpoints recorded, 0, 100, ..., 30000.
            var steps = rows.Where(r => r[0] == id).Select(r => long.Parse(r[stepColumn], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, 301).Select(i => i * 100L), steps);
            Assert.Equal(StudyJson.WithoutWallTime(trial.GetProperty("latest")), StudyJson.WithoutWallTime(actual[id].GetProperty("latest")));
        }
    }

    private int WorkerOfAHalfDoneTrial(string store, IEnumerable<int> workerPorts)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            var ended = JournalEvents.Read<Protocol.TrialCompleted>(store).Select(e => e.GetProperty("trial_id").GetString()).ToHashSet();
            var saved = JournalEvents.Read<Protocol.TrialStateSaved>(store)
                .Where(e => e.GetProperty("step").GetInt64() < 15000 && !ended.Contains(e.GetProperty("trial_id").GetString()))
                .Select(e => e.GetProperty("trial_id").GetString()).ToHashSet();
            var node = JournalEvents.Read<Protocol.TrialAssigned>(store).Where(a => saved.Contains(a.GetProperty("trial_id").GetString()))
                .Select(a => a.GetProperty("node").GetString()).LastOrDefault();
            if (node is not null)
            {
                return LoopbackCluster.PortOf(node, workerPorts);
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"no trial recorded a state in its first half\n{_cluster.Output()}");
    }
}
