using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A study of 20,000 trivial trials on a loopback cluster of a coordinator and two 4-slot workers: its
/// submission, the assignments, the status the follower polls and the coordinator's snapshot all grow with
/// the study, and none of them may travel as one message.
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class LargeStudyClusterTests : IDisposable
{
    private const int Trials = 20_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-large-").FullName;
    private readonly LoopbackCluster _cluster;

    public LargeStudyClusterTests() => _cluster = new LoopbackCluster(_folder);

    public void Dispose()
    {
        _cluster.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void A_study_of_20000_trials_is_submitted_and_completes_on_a_multi_process_cluster()
    {
        var store = Path.Combine(_folder, "cluster.db");
        var (coordinatorPort, firstPort, secondPort) = (LoopbackCluster.FreePort(), LoopbackCluster.FreePort(), LoopbackCluster.FreePort());
        _cluster.StartCoordinator(coordinatorPort, store, coordinatorPort);
        _cluster.StartWorker(firstPort, coordinatorPort, slots: 4);
        _cluster.StartWorker(secondPort, coordinatorPort, slots: 4);
        _cluster.WaitUntilUp(3);
        File.WriteAllText(Path.Combine(_folder, "big.yaml"), $$"""
            study: big
            dataset: {kind: synthetic, n: 4, dim: 2, margin: 0.1, seed: 0}
            model: {depth: 2, width: 2, init_scale: 0.1}
            steps: 1
            checkpoint_every: 1
            grid:
              algorithm: [gd]
            random:
              samples: {{Trials}}
              seed: 0
              lr: {loguniform: [1.0e-4, 1.0e-1]}
            """);

        var submitted = Cli.Run(_folder, "submit", "big.yaml", "--cluster", $"127.0.0.1:{LoopbackCluster.Port(coordinatorPort)}", "--detach");
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);
        Assert.Contains($"{Trials} new trials", submitted.Stderr);

        // Watched in the journal, which costs the busy machine nothing, then read once as a user would when
        // the coordinator's live projection has caught up.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(8);
        while ((JournalEvents.Read<Protocol.StudyFinished>(store).Count == 0 || !JournalEvents.ReadModelIsCurrent(store)) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(2000);
        }
        var result = Cli.Run(_folder, "status", "big", "--json", "--store", store);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var status = JsonDocument.Parse(result.Stdout).RootElement;

        Assert.True(status.GetProperty("completed").GetInt32() == Trials, $"{status.GetProperty("completed")} of {Trials} completed\n{_cluster.Output()}");
        Assert.All(status.GetProperty("trials").EnumerateArray(), t => Assert.Equal(2, t.GetProperty("checkpoint_count").GetInt64()));
        Assert.DoesNotContain(_cluster.Lines, l => l.Contains("OversizedPayload", StringComparison.Ordinal) || l.Contains("Discarding oversized", StringComparison.Ordinal));
    }
}
