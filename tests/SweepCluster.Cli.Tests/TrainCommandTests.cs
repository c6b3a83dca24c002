using System.Text.Json;

namespace SweepCluster.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private static readonly string[] Fields =
    [
        "step", "loss", "train_accuracy", "test_accuracy", "norm_l1", "norm_l2", "norm_linf", "margin_l1", "margin_l2",
        "margin_linf", "smoothed_margin_l1", "smoothed_margin_l2", "smoothed_margin_linf", "wall_ms",
        "margin_own", "smoothed_margin_own", "alignment_l1", "alignment_l2", "alignment_linf", "alignment_own",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private const string Trial = """
        dataset: {kind: synthetic, n: 30, dim: 5, margin: 0.3, seed: 1, test: 10}
        model: {depth: 2, width: 8, init: normal, init_scale: 0.1}
        algorithm: gd
        lr: 0.01
        steps: 40
        checkpoint_every: 10
        """;

    [Fact]
    public void Train_writes_one_json_line_per_checkpoint_with_the_contract_fields()
    {
        var result = Cli.Run(_folder, "train", "--config", File("trial.yaml", Trial));
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(Fields, json.RootElement.EnumerateObject().Select(p => p.Name));
        }
        Assert.Contains("Completed at step 40", result.Stderr);
    }

    [Fact]
    public void Coordinate_descent_is_plain_unless_the_kink_hold_is_asked_for_and_then_reports_its_holds()
    {
        var coordinate = File("coordinate.yaml", Trial.Replace("algorithm: gd", "algorithm: coordinate"));
        var plain = Cli.Run(_folder, "train", "--config", coordinate);
        var held = Cli.Run(_folder, "train", "--config", coordinate, "--kink-hold", "true");
        Assert.Equal((0, 0), (plain.ExitCode, held.ExitCode));
        Assert.DoesNotContain("\"holds\"", plain.Stdout);
        foreach (var line in held.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(Fields.Concat(["holds", "held_steps"]).Order(), json.RootElement.EnumerateObject().Select(p => p.Name).Order());
        }
        var gd = Cli.Run(_folder, "train", "--config", File("trial.yaml", Trial), "--kink-hold", "true");
        Assert.Equal(2, gd.ExitCode);
        Assert.Contains("kink_hold: applies to algorithm coordinate only, not gd", gd.Stderr);
    }

    [Fact]
    public void Flags_override_the_config_file()
    {
        var result = Cli.Run(_folder, "train", "--config", File("trial.yaml", Trial), "--steps", "20", "--checkpoint-every", "20", "--out", Path.Combine(_folder, "c.jsonl"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, System.IO.File.ReadAllLines(Path.Combine(_folder, "c.jsonl")).Length);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void A_bad_config_names_file_line_and_key_exits_2_and_writes_nothing()
    {
        var config = File("bad.yaml", Trial.Replace("lr: 0.01", "lr: -0.01"));
        var output = Path.Combine(_folder, "out.jsonl");
        var result = Cli.Run(_folder, "train", "--config", config, "--out", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{config}:4:5: lr: must be a positive number", result.Stderr);
        Assert.False(System.IO.File.Exists(output));
    }

    [Fact]
    public void A_missing_dataset_file_is_named_and_nothing_is_written()
    {
        var output = Path.Combine(_folder, "out.jsonl");
        var result = Cli.Run(_folder, "train", "--dataset", "csv", "--data-path", Path.Combine(_folder, "none.csv"), "--algorithm", "gd", "--lr", "0.1", "--out", output);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("none.csv: file not found", result.Stderr);
        Assert.False(System.IO.File.Exists(output));
    }

    [Fact]
    public void A_run_resumed_from_a_saved_state_continues_with_identical_checkpoints()
    {
        var config = File("trial.yaml", Trial);
        var states = Path.Combine(_folder, "states");
        var straight = Cli.Run(_folder, "train", "--config", config, "--save-state", states, "--save-every", "20");
        Assert.Equal(0, straight.ExitCode);
        var state = Path.Combine(states, "state-step20.safetensors");
        Assert.True(System.IO.File.Exists(state));
        var resumed = Cli.Run(_folder, "train", "--config", config, "--resume-from", state);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(WithoutWallTime(straight.Stdout).Skip(3), WithoutWallTime(resumed.Stdout));
    }

    [Fact]
    public void Resuming_under_another_configuration_is_refused()
    {
        var config = File("trial.yaml", Trial);
        var states = Path.Combine(_folder, "states");
        Assert.Equal(0, Cli.Run(_folder, "train", "--config", config, "--save-state", states, "--save-every", "20").ExitCode);
        var result = Cli.Run(_folder, "train", "--config", config, "--lr", "0.02", "--resume-from", Path.Combine(states, "state-step20.safetensors"));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: The training state was saved by a trial with another configuration", result.Stderr);
    }

    [Fact]
    public void Help_documents_every_option_with_its_default()
    {
        var result = Cli.Run(_folder, "train", "--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--config", "--algorithm", "--lr", "--step", "--lr-schedule", "--norm-p", "--eps", "--kink-hold", "--batch-size", "--steps", "--checkpoint-every", "--save-state", "--save-every", "--resume-from", "--out", "--seed" })
        {
            Assert.Contains(option, result.Stdout);
        }
        Assert.Contains("default 50", result.Stdout);
    }

    private static IEnumerable<string> WithoutWallTime(string jsonLines) =>
        jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf(",\"wall_ms\"", StringComparison.Ordinal)]);
}
