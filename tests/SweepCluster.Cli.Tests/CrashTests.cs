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
        steps: 12000
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
            // Let trials run and save states (every second), then kill without warning.
            Thread.Sleep(TimeSpan.FromSeconds(9));
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
}
