using System.Diagnostics;
using System.Text.Json;
using SweepCluster.Protocol;

namespace SweepCluster.Cli.Tests;

/// <summary>A coordinator killed with SIGKILL during an ASHA study, then resumed: its decisions survive it.</summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class SchedulerCrashTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-asha-crash-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Sweep = """
        study: asha-crash
        dataset: {kind: synthetic, n: 40, dim: 8, margin: 0.2, seed: 1}
        model: {depth: 2, width: 16, init_scale: 0.1}
        algorithm: gd
        steps: 20000
        checkpoint_every: 100
        scheduler: {kind: asha, metric: margin_l2, min_steps: 200, reduction_factor: 3}
        grid:
          lr: [0.000001, 0.001, 0.005, 0.02, 0.05]
          seed: [0, 1, 2]
        """;

    // Three slots run one configuration (three seeds) at a time, in the queue's order, so the decisions do
    // not depend on timing: the configuration with lr 1e-6 never fits and is the fourth to run; it is
    // pruned at the first rung on its training loss, and the fifth configuration is still to run.
    private string Store => Path.Combine(_folder, ".sweepcluster", "sweepcluster.db");

    [Fact]
    public void A_coordinator_killed_during_an_asha_study_continues_with_the_same_decisions()
    {
        File.WriteAllText(Path.Combine(_folder, "s.yaml"), Sweep);
        var killed = Cli.Run(_folder, process =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (!AnyPruned())
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"no trial was pruned before the run ended (exited: {process.HasExited})");
                }
                Thread.Sleep(50);
            }
            process.Kill();
        }, "run", "s.yaml", "--slots", "3", "--save-state-seconds", "1");
        Assert.NotEqual(0, killed.ExitCode);
        var judgedBefore = Decisions<RungJudged>();
        var prunedBefore = Decisions<TrialPruned>();
        Assert.NotEmpty(prunedBefore);
        Assert.Contains(StudyJson.Trials(_folder, "asha-crash").Values, t => t.GetProperty("status").GetString() is "pending" or "running");

        var resumed = Cli.Run(_folder, "resume", "asha-crash", "--slots", "3");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);

        var judged = Decisions<RungJudged>();
        var pruned = Decisions<TrialPruned>();
        // What was decided before the kill is the start of what is decided after it, unchanged.
        Assert.Equal(judgedBefore, judged.Take(judgedBefore.Count));
        Assert.Equal(prunedBefore, pruned.Take(prunedBefore.Count));
        // No configuration decided twice at a rung (waiting there first is not a decision), no trial pruned twice.
        var rungs = JournalEvents.Read<RungJudged>(Store).Where(j => j.GetProperty("decision").GetString() != "wait")
            .Select(j => (j.GetProperty("configuration").GetString(), j.GetProperty("rung").GetInt64())).ToList();
        Assert.Equal(rungs.Count, rungs.Distinct().Count());
        var prunedIds = JournalEvents.Read<TrialPruned>(Store).Select(p => p.GetProperty("trial_id").GetString()).ToList();
        Assert.Equal(prunedIds.Count, prunedIds.Distinct().Count());
        // None revived: a pruned trial is never assigned again, and ends pruned.
        var prunedAt = JournalEvents.ReadWithOrdering<TrialPruned>(Store).ToDictionary(p => p.Event.GetProperty("trial_id").GetString()!, p => p.Ordering);
        Assert.DoesNotContain(JournalEvents.ReadWithOrdering<TrialAssigned>(Store),
            a => prunedAt.TryGetValue(a.Event.GetProperty("trial_id").GetString()!, out var at) && a.Ordering > at);
        var trials = StudyJson.Trials(_folder, "asha-crash");
        Assert.All(prunedAt.Keys, id => Assert.Equal("pruned", trials[id].GetProperty("status").GetString()));
        Assert.All(trials.Values, t => Assert.Contains(t.GetProperty("status").GetString(), new[] { "completed", "pruned" }));
    }

    private bool AnyPruned()
    {
        try
        {
            return File.Exists(Store) && JournalEvents.Read<TrialPruned>(Store).Count > 0;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // The run has not made its journal yet.
            return false;
        }
    }

    private List<string> Decisions<TEvent>() where TEvent : IStudyEvent =>
        JournalEvents.Read<TEvent>(Store).Select(e => JsonSerializer.Serialize(e)).ToList();
}
