using System.Diagnostics;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>Chaos with real processes: `run` killed with SIGKILL mid-study, then `resume`.</summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class CrashTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-crash-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Sweep(string study) => $$"""
        study: {{study}}
        dataset: {kind: synthetic, n: 40, dim: 8, margin: 0.2, seed: 1}
        model: {depth: 2, width: 32, init_scale: 0.1}
        steps: 36000
        checkpoint_every: 100
        grid:
          optimizer:
            - {algorithm: gd, lr: 0.02}
            - {algorithm: coordinate, lr: 0.02}
            - {algorithm: adam, lr: 0.001, eps: 0}
          seed: [0]
        """;

    [Fact]
    public void A_run_killed_mid_study_resumes_to_the_results_of_an_undisturbed_run()
    {
        var reference = Directory.CreateDirectory(Path.Combine(_folder, "reference")).FullName;
        File.WriteAllText(Path.Combine(reference, "s.yaml"), Sweep("crash"));
        Assert.Equal(0, Cli.Run(reference, "run", "s.yaml").ExitCode);
        var expected = StudyJson.Trials(reference, "crash");

        var crashed = Directory.CreateDirectory(Path.Combine(_folder, "crashed")).FullName;
        File.WriteAllText(Path.Combine(crashed, "s.yaml"), Sweep("crash"));
        var killed = Cli.Run(crashed, process =>
        {
            // Kill without warning once the first trial has ended, plus a second for states to be saved (every
            // second). A trial runs 5-10 s on the machines seen so far (at 12,000 steps it took under 2 s on a
            // fast one, and all three trials finished first), so the third trial, which starts when a slot
            // frees, cannot have completed. A fixed delay from the start raced the machine's speed too.
            WaitForLogLine(crashed, " ended: ", process);
            Thread.Sleep(TimeSpan.FromSeconds(1));
            process.Kill();
        }, "run", "s.yaml", "--save-state-seconds", "1");
        Assert.NotEqual(0, killed.ExitCode);
        var halfway = StudyJson.Trials(crashed, "crash");
        Assert.Contains(halfway.Values, t => t.GetProperty("status").GetString() != "completed");

        var resumed = Cli.Run(crashed, "resume", "crash");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var actual = StudyJson.Trials(crashed, "crash");
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (id, trial) in expected)
        {
            Assert.Equal(trial.GetProperty("checkpoint_count").GetInt64(), actual[id].GetProperty("checkpoint_count").GetInt64());
            Assert.Equal(trial.GetProperty("last_step").GetInt64(), actual[id].GetProperty("last_step").GetInt64());
            Assert.Equal(StudyJson.WithoutWallTime(trial.GetProperty("latest")), StudyJson.WithoutWallTime(actual[id].GetProperty("latest")));
        }
    }

    /// <summary>Waits until the run's log file under the working directory holds <paramref name="text"/>.</summary>
    private static void WaitForLogLine(string workingDirectory, string text, Process process)
    {
        var logs = Path.Combine(workingDirectory, ".sweepcluster", "logs");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!(Directory.Exists(logs) && Directory.GetFiles(logs).Any(f => SharedFile.ReadAll(f).Contains(text, StringComparison.Ordinal))))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the run never logged '{text}' (exited: {process.HasExited})");
            }
            Thread.Sleep(100);
        }
    }
}
