namespace SweepCluster.Cli.Tests;

/// <summary>
/// Inputs made to hurt: each ends with one located line and exit 2 (bad input) or 4 (store), in seconds,
/// inside a 256 MB heap (the process would die of it otherwise), with no stack trace.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    /// <summary>A hard heap limit for the process under test: an input that makes it allocate more fails the test.</summary>
    private static readonly Dictionary<string, string?> BoundedHeap = new() { ["DOTNET_GCHeapHardLimit"] = "0x10000000" };

    private const string Trial = "study: s\ndataset: {kind: synthetic, n: 30, dim: 5}\nalgorithm: gd\nlr: 0.1\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-hostile-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Cli.Result Validate(string yaml)
    {
        File.WriteAllText(Path.Combine(_folder, "s.yaml"), yaml);
        return Cli.Run(_folder, BoundedHeap, null, "validate", "s.yaml");
    }

    private static void AssertRefused(Cli.Result result, string located, string message)
    {
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}\n{result.Stderr}");
        Assert.Contains($"error: s.yaml:{located}", result.Stderr);
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_its_first_alias()
    {
        var levels = string.Concat(Enumerable.Range(1, 8).Select(i => $"l{i}: &l{i} [{string.Join(",", Enumerable.Repeat($"*l{i - 1}", 9))}]\n"));

        AssertRefused(Validate(Trial + "l0: &l0 [x,x,x,x,x,x,x,x,x]\n" + levels + "max_retries: *l8\n"), "6:", "YAML aliases (*l0) are not accepted");
    }

    [Fact]
    public void Nesting_sixty_thousand_deep_is_refused_at_the_limit()
    {
        AssertRefused(Validate(Trial + "grid: " + new string('[', 60_000) + new string(']', 60_000) + "\n"), "5:", "nests deeper than 32 levels");
    }

    [Theory]
    [InlineData("random: {samples: 2147483647, lr: {loguniform: [0.001, 0.1]}}", "random.samples: must be at most 200,000")]
    [InlineData("model: {width: 2000000000}", "model.width: must be at most 16,384")]
    [InlineData("model: {depth: 100000}", "model.depth: must be at most 64")]
    [InlineData("torch_threads: 100000", "torch_threads: must be at most 64")]
    [InlineData("steps: 2000000000\ncheckpoint_every: 1", "checkpoint_every: records 2,000,000,000 checkpoints")]
    [InlineData("model: {width: 16384, depth: 3}", "model: has 268,533,760 weights")]
    public void A_size_beyond_the_limits_is_refused_naming_its_key(string line, string message)
    {
        var result = Validate(Trial + line + "\n");

        Assert.True(result.ExitCode == 2, result.Stderr);
        Assert.Contains(message, result.Stderr);
        Assert.Contains("error: s.yaml:", result.Stderr);
    }

    [Fact]
    public void A_dataset_too_large_to_generate_is_refused_before_it_is_made()
    {
        var result = Validate("study: s\ndataset: {kind: synthetic, n: 1000000, dim: 100000}\nalgorithm: gd\nlr: 0.1\n");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("dataset.dim: makes 100,000,000,000 values", result.Stderr);
    }

    [Fact]
    public void A_grid_that_multiplies_past_the_trial_limit_is_refused_before_it_is_expanded()
    {
        var axes = string.Concat(Enumerable.Range(0, 8).Select(i => $"  a{i}: [{{seed: 1}}, {{seed: 2}}, {{seed: 3}}, {{seed: 4}}, {{seed: 5}}, {{seed: 6}}, {{seed: 7}}, {{seed: 8}}, {{seed: 9}}, {{seed: 10}}]\n"));

        var result = Validate(Trial + "grid:\n" + axes);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("beyond the 200,000 trials a study may have", result.Stderr);
    }

    [Fact]
    public void The_limits_can_be_raised_and_a_bad_limit_is_named()
    {
        File.WriteAllText(Path.Combine(_folder, "s.yaml"), Trial + "model: {width: 20000}\n");

        var raised = Cli.Run(_folder, new Dictionary<string, string?> { ["SWEEPCLUSTER_MAX_WIDTH"] = "32768" }, null, "validate", "s.yaml");
        var bad = Cli.Run(_folder, new Dictionary<string, string?> { ["SWEEPCLUSTER_MAX_WIDTH"] = "lots" }, null, "validate", "s.yaml");

        Assert.True(raised.ExitCode == 0, raised.Stderr);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("SWEEPCLUSTER_MAX_WIDTH: must be a whole number", bad.Stderr);
    }

    [Theory]
    [InlineData("SWEEPCLUSTER_PORT", "abc", "SWEEPCLUSTER_PORT: must be a whole number between 0 and 65535, found 'abc'")]
    [InlineData("SWEEPCLUSTER_SLOTS", "-3", "SWEEPCLUSTER_SLOTS: must be a whole number between 0 and 256, found '-3'")]
    public void A_bad_number_in_a_node_variable_is_exit_2_naming_it(string variable, string value, string message)
    {
        var result = Cli.Run(_folder, new Dictionary<string, string?> { [variable] = value }, null, "node", "--role", "worker", "--seed", "127.0.0.1:1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Theory]
    [InlineData("--port", "-5", "--port: must be between 0 and 65535, found -5")]
    [InlineData("--port", "99999", "--port: must be between 0 and 65535, found 99999")]
    [InlineData("--slots", "100000", "--slots: must be between 0 and 256, found 100000")]
    public void A_bad_number_in_a_node_flag_is_exit_2_naming_it(string flag, string value, string message)
    {
        var result = Cli.Run(_folder, "node", "--role", "worker", "--seed", "127.0.0.1:1", flag, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
    }

    [Fact]
    public void A_node_told_to_listen_publicly_without_certificates_refuses_to_start()
    {
        var result = Cli.Run(_folder, "node", "--public-host", "10.1.2.3", "--port", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("without TLS", result.Stderr);
        Assert.Contains("--insecure", result.Stderr);
    }

    [Fact]
    public void A_network_too_large_for_memory_is_bad_input_naming_the_model_not_a_native_crash()
    {
        var raised = new Dictionary<string, string?> { ["SWEEPCLUSTER_MAX_WIDTH"] = "2000000000", ["SWEEPCLUSTER_MAX_PARAMETERS"] = "1000000000000" };

        var result = Cli.Run(_folder, raised, null, "train", "--dataset", "synthetic", "--algorithm", "gd", "--lr", "0.1", "--steps", "10", "--width", "1000000000");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: model: a network of width 1000000000 and depth 2 needed", result.Stderr);
        Assert.DoesNotContain("frame #", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void A_node_settings_file_with_an_alias_is_refused_with_its_location()
    {
        File.WriteAllText(Path.Combine(_folder, "node.yaml"), "roles: &r [worker]\nseeds: *r\n");

        var result = Cli.Run(_folder, "node", "--config", "node.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: node.yaml:2:8: YAML aliases (*r) are not accepted", result.Stderr);
    }
}
