using System.Diagnostics;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A cluster made as the docs say (`certs init`, `certs issue`, nodes with --tls) on loopback, and what
/// reaches it: only holders of its certificates join or submit, and workers read only under their data roots.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class SecureClusterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-secure-").FullName;
    private readonly LoopbackCluster _cluster;

    public SecureClusterTests() => _cluster = new LoopbackCluster(_folder);

    public void Dispose()
    {
        _cluster.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static string ClusterConfig([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "cluster-config"));

    private void Certs(params string[] args)
    {
        var result = Cli.Run(_folder, ["certs", .. args]);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    private int StartSecureCluster()
    {
        Certs("init");
        foreach (var name in new[] { "coordinator", "worker", "alice" })
        {
            Certs("issue", name);
        }
        var (coordinator, worker) = (LoopbackCluster.FreePort(), LoopbackCluster.FreePort());
        var port = LoopbackCluster.Port(coordinator);
        _cluster.StartNode("--role", "coordinator", "--port", port, "--seed", $"127.0.0.1:{port}", "--store", "s.db", "--tls", "certs/coordinator.p12");
        _cluster.StartNode("--role", "worker", "--port", LoopbackCluster.Port(worker), "--seed", $"127.0.0.1:{port}", "--slots", "2", "--tls", "certs/worker.p12");
        _cluster.WaitUntilUp(2);
        return coordinator;
    }

    private string Sweep(string study, string dataset)
    {
        File.WriteAllText(Path.Combine(_folder, $"{study}.yaml"), $$"""
            study: {{study}}
            dataset: {{dataset}}
            model: {width: 8}
            steps: 100
            checkpoint_every: 50
            max_retries: 0
            algorithm: gd
            lr: 0.01
            """);
        return $"{study}.yaml";
    }

    private JsonElement WaitSettled(string study)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var status = Cli.Run(_folder, "status", study, "--json", "--store", "s.db");
            if (status.ExitCode == 0 && JsonDocument.Parse(status.Stdout).RootElement is var root && root.GetProperty("phase").GetString() == "finished")
            {
                return root;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{study} did not finish\n{status.Stderr}\n{_cluster.Output()}");
            Thread.Sleep(500);
        }
    }

    [Fact]
    public void Only_holders_of_the_cluster_certificates_join_or_submit()
    {
        var port = $"127.0.0.1:{LoopbackCluster.Port(StartSecureCluster())}";
        var sweep = Sweep("trusted", "{kind: synthetic, n: 20, dim: 4, seed: 1}");

        var trusted = Cli.Run(_folder, "submit", sweep, "--cluster", port, "--tls", "certs/alice.p12");
        var anonymous = Cli.Run(_folder, "submit", sweep, "--cluster", port);
        Certs("init", "--dir", "other");
        Certs("issue", "mallory", "--dir", "other");
        var stranger = Cli.Run(_folder, "submit", sweep, "--cluster", port, "--tls", "other/mallory.p12");
        var plainWorker = _cluster.StartNode("--role", "worker", "--port", LoopbackCluster.Port(LoopbackCluster.FreePort()), "--seed", port);

        Assert.True(trusted.ExitCode == 0, trusted.Stderr);
        Assert.Equal(1, WaitSettled("trusted").GetProperty("completed").GetInt32());
        Assert.Equal(4, anonymous.ExitCode);
        Assert.Contains("if the cluster uses TLS, give this client its bundle with --tls FILE", anonymous.Stderr);
        Assert.Equal(4, stranger.ExitCode);
        Assert.Contains("no cluster answered", stranger.Stderr);
        Thread.Sleep(TimeSpan.FromSeconds(10));
        Assert.False(plainWorker.HasExited);
        Assert.Equal(2, _cluster.Lines.Count(l => l.Contains("Node is up", StringComparison.Ordinal)));
        Assert.Contains(_cluster.Lines, l => l.Contains("TLS handshake", StringComparison.Ordinal) || l.Contains("Refused a connection", StringComparison.Ordinal));
    }

    [Fact]
    public void A_worker_reads_under_its_data_roots_and_refuses_any_path_outside_them_before_reading()
    {
        var port = $"127.0.0.1:{LoopbackCluster.Port(StartSecureCluster())}";
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        File.WriteAllText(Path.Combine(_folder, "data", "inside.csv"), "1,2,1\n-1,-2,-1\n2,1,1\n-2,-1,-1\n");
        File.WriteAllText(Path.Combine(_folder, "secret.csv"), "hunter2,0,1\n");

        var inside = Cli.Run(_folder, "submit", Sweep("inside", "{kind: csv, path: inside.csv}"), "--cluster", port, "--tls", "certs/alice.p12", "--detach");
        var escape = Cli.Run(_folder, "submit", Sweep("escape", "{kind: csv, path: ../secret.csv}"), "--cluster", port, "--tls", "certs/alice.p12", "--detach");
        var absolute = Cli.Run(_folder, "submit", Sweep("absolute", "{kind: csv, path: /etc/shadow}"), "--cluster", port, "--tls", "certs/alice.p12", "--detach");

        Assert.True((inside.ExitCode, escape.ExitCode, absolute.ExitCode) == (0, 0, 0), inside.Stderr + escape.Stderr + absolute.Stderr);
        Assert.Equal(1, WaitSettled("inside").GetProperty("completed").GetInt32());
        foreach (var study in new[] { "escape", "absolute" })
        {
            var trial = Assert.Single(WaitSettled(study).GetProperty("trials").EnumerateArray());
            Assert.Equal("failed", trial.GetProperty("status").GetString());
            var reason = trial.GetProperty("reason").GetString()!;
            Assert.Contains("is outside this worker's data roots", reason);
            Assert.DoesNotContain("hunter2", reason);
            Assert.DoesNotContain("root:", reason);
        }
    }

    [Fact]
    public void The_loopback_cluster_of_cluster_config_runs_as_its_comments_say()
    {
        var config = ClusterConfig();
        Certs("init");
        Certs("issue", "coordinator", "worker-1", "worker-2", "me");
        foreach (var node in new[] { "coordinator", "worker-1", "worker-2" })
        {
            _cluster.StartNode("--config", Path.Combine(config, $"{node}.yaml"), "--save-state-seconds", "30");
        }
        _cluster.WaitUntilUp(3);

        var submitted = Cli.Run(_folder, "submit", Sweep("configured", "{kind: synthetic, n: 20, dim: 4, seed: 1}"), "--cluster", "127.0.0.1:4053", "--tls", "certs/me.p12");

        Assert.True(submitted.ExitCode == 0, submitted.Stderr + _cluster.Output());
        var status = Cli.Run(_folder, "status", "configured", "--json", "--store", ".sweepcluster/cluster.db");
        Assert.Equal("finished", JsonDocument.Parse(status.Stdout).RootElement.GetProperty("phase").GetString());
    }
}
