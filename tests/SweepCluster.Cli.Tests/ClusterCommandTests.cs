using System.Diagnostics;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>`submit`, `interrupt` and `resume --cluster` against a running node process, as a user types them.</summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class ClusterCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-client-").FullName;
    private readonly LoopbackCluster _cluster;

    public ClusterCommandTests() => _cluster = new LoopbackCluster(_folder);

    public void Dispose()
    {
        _cluster.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string SweepFile(int steps)
    {
        File.WriteAllText(Path.Combine(_folder, "long.yaml"), $$"""
            study: long
            dataset: {kind: synthetic, n: 30, dim: 5, margin: 0.3, seed: 1}
            model: {depth: 2, width: 16, init_scale: 0.1}
            steps: {{steps}}
            checkpoint_every: 1000
            grid:
              optimizer:
                - {algorithm: gd, lr: 0.05}
                - {algorithm: sign, lr: 0.001, step: normalized}
              seed: [0]
            """);
        return "long.yaml";
    }

    private JsonElement Status(string store)
    {
        var status = Cli.Run(_folder, "status", "long", "--json", "--store", store);
        Assert.True(status.ExitCode == 0, status.Stderr);
        return JsonDocument.Parse(status.Stdout).RootElement;
    }

    [Fact]
    public void Submit_to_an_address_where_no_cluster_answers_fails_in_seconds_with_one_line_and_exit_4()
    {
        var clock = Stopwatch.StartNew();
        var result = Cli.Run(_folder, "submit", SweepFile(100), "--cluster", $"127.0.0.1:{LoopbackCluster.Port(LoopbackCluster.FreePort())}");
        clock.Stop();

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("error: no cluster answered at 127.0.0.1:", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        // 10 s of waiting for the cluster, plus the process's start and stop.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Sigterm_detaches_submit_and_the_study_is_interrupted_and_resumed_on_the_cluster()
    {
        var store = Path.Combine(_folder, "cluster.db");
        var port = LoopbackCluster.FreePort();
        _cluster.StartNode("--role", "coordinator", "--role", "worker", "--port", LoopbackCluster.Port(port), "--store", store, "--slots", "1", "--save-state-seconds", "1");
        _cluster.WaitUntilUp(1);
        var address = $"127.0.0.1:{LoopbackCluster.Port(port)}";

        var signalled = false;
        var followed = Cli.Run(_folder, process =>
        {
            signalled = WaitForStartedTrial(process) && Signal("-TERM", process);
        }, "submit", SweepFile(2_000_000), "--cluster", address);
        Assert.True(signalled, "no SIGTERM was delivered: no trial was seen starting while submit was alive\n" + followed.Stderr);
        Assert.True(followed.ExitCode == 0, followed.Stderr);
        Assert.Contains("Detached from study long", followed.Stderr);

        // The study goes on without its follower.
        var running = Status(store);
        Assert.Equal("running", running.GetProperty("phase").GetString());
        var before = running.GetProperty("trials").EnumerateArray().Sum(t => t.GetProperty("last_step").GetInt64());
        Thread.Sleep(3000);
        Assert.True(Status(store).GetProperty("trials").EnumerateArray().Sum(t => t.GetProperty("last_step").GetInt64()) > before, "the study stopped when its follower left");

        var interrupted = Cli.Run(_folder, "interrupt", "long", "--cluster", address);
        Assert.True(interrupted.ExitCode == 0, interrupted.Stderr);
        var halted = Status(store);
        Assert.Equal("interrupted", halted.GetProperty("phase").GetString());
        Assert.DoesNotContain(halted.GetProperty("trials").EnumerateArray(), t => t.GetProperty("status").GetString() == "running");

        var stopped = halted.GetProperty("trials").EnumerateArray().Sum(t => t.GetProperty("last_step").GetInt64());
        var resumed = Cli.Run(_folder, "resume", "long", "--cluster", address, "--detach");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement again;
        do
        {
            Thread.Sleep(500);
            again = Status(store);
        }
        while (again.GetProperty("trials").EnumerateArray().Sum(t => t.GetProperty("last_step").GetInt64()) <= stopped && DateTime.UtcNow < deadline);
        Assert.Equal("running", again.GetProperty("phase").GetString());
        Assert.True(again.GetProperty("trials").EnumerateArray().Sum(t => t.GetProperty("last_step").GetInt64()) > stopped, "the resumed study made no progress");

        var unknown = Cli.Run(_folder, "interrupt", "no-such-study", "--cluster", address);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("has no study no-such-study", unknown.Stderr);

        // Four clients came and went: routine for the node, so nothing on its console says error, and no
        // client printed Akka's own shutdown lines among its output.
        Assert.DoesNotContain(_cluster.Lines, l => l.Contains(" ERR ", StringComparison.Ordinal) || l.Contains("Disassociated", StringComparison.Ordinal));
        foreach (var client in new[] { followed, interrupted, resumed, unknown })
        {
            Assert.DoesNotContain("[INFO]", client.Stdout + client.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Submit_says_when_trials_are_pending_and_no_worker_has_joined()
    {
        var port = LoopbackCluster.FreePort();
        _cluster.StartCoordinator(port, Path.Combine(_folder, "cluster.db"), port);
        _cluster.WaitUntilUp(1);

        var followed = Cli.Run(_folder, process =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(10));
            Signal("-TERM", process);
        }, "submit", SweepFile(100), "--cluster", $"127.0.0.1:{LoopbackCluster.Port(port)}");

        Assert.True(followed.ExitCode == 0, followed.Stderr);
        Assert.Contains("2 trials are pending and no worker node has joined the cluster", followed.Stderr);
        Assert.Contains(_cluster.Lines, l => l.Contains("Study long submitted: 2 new trials", StringComparison.Ordinal));
    }

    private bool WaitForStartedTrial(Process process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (_cluster.Lines.Any(l => l.Contains("Started trial", StringComparison.Ordinal)))
            {
                Thread.Sleep(1000);
                return !process.HasExited;
            }
            Thread.Sleep(100);
        }
        return false;
    }

    private static bool Signal(string signal, Process process)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        return kill.ExitCode == 0;
    }
}
