using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>A real three-process cluster on loopback: a coordinator node and two worker nodes.</summary>
[Trait("Category", "Chaos")]
public sealed class ClusterChaosTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-chaos-").FullName;
    private readonly List<Process> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes.Where(n => !n.HasExited))
        {
            node.Kill(entireProcessTree: true);
            node.WaitForExit();
        }
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Process StartNode(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = _folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["CI"] = "true";
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sweepcluster.dll"));
        info.ArgumentList.Add("node");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _nodes.Add(process);
        return process;
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

    [Fact]
    public void A_worker_killed_mid_study_loses_nothing_and_the_results_equal_an_undisturbed_run()
    {
        var reference = Directory.CreateDirectory(Path.Combine(_folder, "reference")).FullName;
        File.WriteAllText(Path.Combine(reference, "s.yaml"), Sweep("chaos"));
        Assert.Equal(0, Cli.Run(reference, "run", "s.yaml").ExitCode);
        var expected = StudyJson.Trials(reference, "chaos");

        var store = Path.Combine(_folder, "cluster.db");
        var coordinatorPort = FreePort();
        var seed = $"127.0.0.1:{coordinatorPort}";
        StartNode("--role", "coordinator", "--port", coordinatorPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--store", store);
        var victim = StartNode("--role", "worker", "--port", "0", "--seed", seed, "--slots", "1", "--save-state-seconds", "1");
        StartNode("--role", "worker", "--port", "0", "--seed", seed, "--slots", "1", "--save-state-seconds", "1");

        File.WriteAllText(Path.Combine(_folder, "s.yaml"), Sweep("chaos"));
        var submitted = Cli.Run(_folder, "submit", "s.yaml", "--cluster", seed, "--detach");
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);

        // Kill one worker once both are training (each has one slot, there are four trials) and have saved state.
        var progress = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < progress && StudyJson.Trials(_folder, "chaos", store).Values.Count(t => t.GetProperty("status").GetString() == "running" && t.GetProperty("last_step").GetInt64() >= 3000) < 2)
        {
            Thread.Sleep(500);
        }
        victim.Kill();
        victim.WaitForExit();

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        Dictionary<string, JsonElement> actual;
        do
        {
            Thread.Sleep(2000);
            actual = StudyJson.Trials(_folder, "chaos", store);
        }
        while (actual.Values.Any(t => t.GetProperty("status").GetString() is "pending" or "running") && DateTime.UtcNow < deadline);

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.Contains(actual.Values, t => t.GetProperty("attempt").GetInt32() > 1);
        foreach (var (id, trial) in expected)
        {
            Assert.Equal("completed", actual[id].GetProperty("status").GetString());
            Assert.Equal(trial.GetProperty("checkpoint_count").GetInt64(), actual[id].GetProperty("checkpoint_count").GetInt64());
            Assert.Equal(StudyJson.WithoutWallTime(trial.GetProperty("latest")), StudyJson.WithoutWallTime(actual[id].GetProperty("latest")));
        }
    }
}
