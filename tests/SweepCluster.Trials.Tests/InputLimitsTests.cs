namespace SweepCluster.Trials.Tests;

public sealed class InputLimitsTests
{
    private static TrialSpec Spec(int width = 16, int depth = 2, int n = 100, int dim = 10, int threads = 1, int steps = 1000, int every = 10) => new(
        new SyntheticDatasetSpec(n, dim, 0.1, 0, 0), new ModelSpec(depth, width, InitKind.Normal, 0.01), LossKind.Exponential, Reduction.Sum,
        AlgorithmKind.Gd, 0.1, StepForm.Dual, LrSchedule.Constant, null, null, null, steps, every, new StopSpec(0, null), 0, threads);

    [Fact]
    public void A_spec_within_the_limits_has_no_violations() =>
        Assert.Empty(InputLimits.Defaults.Violations(Spec()));

    [Fact]
    public void A_spec_that_did_not_pass_through_the_reader_is_checked_key_by_key()
    {
        var limits = InputLimits.Defaults;

        Assert.StartsWith("model:", Assert.Single(limits.Violations(Spec(width: 2_000_000_000))));
        Assert.StartsWith("model:", Assert.Single(limits.Violations(Spec(width: 16_000, depth: 10))));
        Assert.StartsWith("dataset:", Assert.Single(limits.Violations(Spec(n: 1_000_000, dim: 100_000))));
        Assert.StartsWith("torch_threads:", Assert.Single(limits.Violations(Spec(threads: 10_000))));
        Assert.StartsWith("checkpoint_every:", Assert.Single(limits.Violations(Spec(steps: 2_000_000_000, every: 1))));
        Assert.StartsWith("checkpoint_every:", Assert.Single(limits.Violations(Spec(every: 0))));
    }

    [Fact]
    public void Limits_come_from_the_environment_and_a_bad_one_is_named()
    {
        var raised = InputLimits.Read(name => name == "SWEEPCLUSTER_MAX_WIDTH" ? "50000" : null);
        var error = Assert.Throws<Yaml.ConfigException>(() => InputLimits.Read(name => name == "SWEEPCLUSTER_MAX_TRIALS" ? "0" : null));

        Assert.Equal(50_000, raised.MaxWidth);
        Assert.Equal(InputLimits.Defaults with { MaxWidth = 50_000 }, raised);
        Assert.Equal("SWEEPCLUSTER_MAX_TRIALS", Assert.Single(error.Errors).Key);
    }
}
