using System.Diagnostics;
using System.Text.Json;

namespace SweepCluster.Cli.Tests;

[Trait("Category", "Cluster")]
public sealed class SweepCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-sweep-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Sweep(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Small(string study, int steps = 60, string seeds = "[0]") => $$"""
        study: {{study}}
        dataset: {kind: synthetic, n: 30, dim: 5, margin: 0.3, seed: 1}
        model: {depth: 2, width: 8, init_scale: 0.1}
        steps: {{steps}}
        checkpoint_every: 10
        grid:
          optimizer:
            - {algorithm: gd, lr: 0.05}
            - {algorithm: sign, lr: 0.001, step: normalized}
          seed: {{seeds}}
        """;

    private JsonElement Status(string study)
    {
        var status = Cli.Run(_folder, "status", study, "--json");
        Assert.Equal(0, status.ExitCode);
        return JsonDocument.Parse(status.Stdout).RootElement;
    }

    [Fact]
    public void Validate_accepts_a_good_sweep_and_counts_its_trials()
    {
        var result = Cli.Run(_folder, "validate", Sweep("ok.yaml", Small("ok", seeds: "[0, 1, 2]")));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("6 trials", result.Stdout);
        Assert.False(Directory.Exists(Path.Combine(_folder, ".sweepcluster")));
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public void A_bad_sweep_exits_2_names_file_line_and_key_and_writes_nothing(string command)
    {
        var path = Sweep("bad.yaml", Small("bad").Replace("lr: 0.05", "lr: -1").Replace("seed: [0]", "seed: []"));
        var result = Cli.Run(_folder, command, path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{path}:8:27: lr: must be a positive number", result.Stderr);
        Assert.Contains("lr: must be a positive number", result.Stderr);
        Assert.Contains("grid.seed: is empty", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_folder, ".sweepcluster")), "validation failures must not create the store");
    }

    [Fact]
    public void Classes_missing_from_the_data_are_a_validation_error()
    {
        var data = Directory.CreateDirectory(Path.Combine(_folder, "idx")).FullName;
        var labels = new byte[] { 0, 0, 8, 1, 0, 0, 0, 2, 0, 1 };
        File.WriteAllBytes(Path.Combine(data, "train-labels-idx1-ubyte"), labels);
        var path = Sweep("idx.yaml", Small("idx").Replace("{kind: synthetic, n: 30, dim: 5, margin: 0.3, seed: 1}", $"{{kind: idx, path: {data}, classes: [0, 7], train: 2}}"));
        var result = Cli.Run(_folder, "validate", path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{path}:2:10: dataset", result.Stderr);
        Assert.Contains("no points of class 7", result.Stderr);
    }

    [Fact]
    public void Run_completes_a_study_that_status_then_reports_from_the_store()
    {
        var result = Cli.Run(_folder, "run", Sweep("s.yaml", Small("small", seeds: "[0, 1]")), "--slots", "2");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("small: finished", result.Stdout);
        Assert.True(File.Exists(Path.Combine(_folder, ".sweepcluster", "sweepcluster.db")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_folder, ".sweepcluster", "logs")));

        var status = Status("small");
        Assert.Equal("finished", status.GetProperty("phase").GetString());
        Assert.Equal(4, status.GetProperty("completed").GetInt32());
        Assert.All(status.GetProperty("trials").EnumerateArray(), t => Assert.Equal(7, t.GetProperty("checkpoint_count").GetInt64()));

        var all = Cli.Run(_folder, "status");
        Assert.Equal(0, all.ExitCode);
        Assert.Contains("small", all.Stdout);

        // The same file again: nothing new to run.
        var again = Cli.Run(_folder, "run", Path.Combine(_folder, "s.yaml"));
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("0 new trials", again.Stderr);
    }

    [Fact]
    public void An_unreachable_store_is_a_clear_error_with_a_non_zero_exit()
    {
        var result = Cli.Run(_folder, "run", Sweep("s.yaml", Small("nostore")), "--store", "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=3");
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("cannot use the store postgresql://127.0.0.1:1/none", result.Stderr);
    }

    [Fact]
    public void Ctrl_c_interrupts_cleanly_and_resume_finishes_with_every_checkpoint_once()
    {
        // Long enough that no machine finishes it in the 2 s between the first trial's start and the signal.
        var path = Sweep("long.yaml", Small("long", steps: 100000));
        var signalled = false;
        var interrupted = Cli.Run(_folder, process =>
        {
            if (WaitForLog(process, TimeSpan.FromSeconds(60)))
            {
                using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                kill.WaitForExit();
                signalled = kill.ExitCode == 0;
            }
        }, "run", path);
        // Tells "the signal was never sent" (no trial seen starting while the run lasted) from "it was ignored".
        Assert.True(signalled, "no SIGINT was delivered: the log showed no started trial while the run was alive\n" + interrupted.Stderr);
        Assert.True(interrupted.ExitCode == 130, interrupted.Stderr);
        Assert.Contains("interrupted", interrupted.Stderr);
        var halfway = Status("long");
        Assert.Equal("interrupted", halfway.GetProperty("phase").GetString());

        var resumed = Cli.Run(_folder, "resume", "long");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var done = Status("long");
        Assert.Equal("finished", done.GetProperty("phase").GetString());
        foreach (var trial in done.GetProperty("trials").EnumerateArray())
        {
            var end = trial.GetProperty("end").GetString();
            var last = trial.GetProperty("last_step").GetInt64();
            // Every checkpoint from 0 to the last step, each once (a trial may stop early at the loss threshold).
            Assert.Equal(last / 10 + 1 + (last % 10 == 0 ? 0 : 1), trial.GetProperty("checkpoint_count").GetInt64());
            Assert.True(end is "completed" or "loss-threshold", end);
        }
    }

    /// <summary>Waits until a trial has started (the run logs it), so the interrupt lands mid-training.</summary>
    /// <returns>Whether one started while the process was still running.</returns>
    private bool WaitForLog(Process process, TimeSpan timeout)
    {
        var logs = Path.Combine(_folder, ".sweepcluster", "logs");
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (Directory.Exists(logs) && Directory.GetFiles(logs).Any(f => SharedFile.ReadAll(f).Contains("Started trial", StringComparison.Ordinal)))
            {
                Thread.Sleep(2000);
                return !process.HasExited;
            }
            Thread.Sleep(100);
        }
        return false;
    }
}
