using SweepCluster.Trials.Yaml;

namespace SweepCluster.Trials.Tests;

public sealed class TrialYamlTests
{
    private const string Example = """
        dataset: {kind: synthetic, n: 200, dim: 20, margin: 0.1, seed: 0}
        model: {depth: 2, width: 64, init: normal, init_scale: 0.01}
        loss: exponential
        reduction: sum
        algorithm: sign
        lr: 0.001
        step: dual
        lr_schedule: constant
        steps: 2000
        checkpoint_every: 50
        stop: {loss_below: 1.0e-30, wall_seconds: 3600}
        seed: 0
        """;

    private static ConfigError SingleError(string yaml, IEnumerable<KeyOverride>? overrides = null) =>
        Assert.Single(Assert.Throws<ConfigException>(() => TrialYaml.Parse(yaml, "trial.yaml", overrides)).Errors);

    [Fact]
    public void The_documented_example_parses_to_its_values()
    {
        var spec = TrialYaml.Parse(Example, "trial.yaml");
        Assert.Equal(new SyntheticDatasetSpec(200, 20, 0.1, 0, 0), spec.Dataset);
        Assert.Equal(new ModelSpec(2, 64, InitKind.Normal, 0.01), spec.Model);
        Assert.Equal(AlgorithmKind.Sign, spec.Algorithm);
        Assert.Equal(0.001, spec.Lr);
        Assert.Equal(new StopSpec(1e-30, 3600), spec.Stop);
        Assert.Equal(1, spec.TorchThreads);
        Assert.Null(spec.BatchSize);
    }

    [Fact]
    public void Coordinate_descent_is_plain_unless_kink_hold_is_true_and_always_says_which()
    {
        var plain = TrialYaml.Parse(Example.Replace("algorithm: sign", "algorithm: coordinate"), "trial.yaml");
        var held = TrialYaml.Parse(Example.Replace("algorithm: sign", "algorithm: coordinate\nkink_hold: true"), "trial.yaml");
        var flag = TrialYaml.Parse(Example.Replace("algorithm: sign", "algorithm: coordinate"), "trial.yaml", [new KeyOverride("kink_hold", "true", "--kink-hold")]);
        Assert.False(plain.KinkHold);
        Assert.True(held.KinkHold);
        Assert.True(flag.KinkHold);
        // Written into both forms, so the id names the rule: plain and held never share an id, and neither
        // shares one with a coordinate trial journaled before the key existed (which had no kink_hold).
        Assert.Contains("\"kink_hold\":false", TrialJson.CanonicalForm(plain));
        Assert.Contains("\"kink_hold\":true", TrialJson.CanonicalForm(held));
        Assert.NotEqual(TrialJson.StableId(plain), TrialJson.StableId(held));
        Assert.NotEqual(TrialJson.StableId(plain), TrialJson.StableId(plain with { KinkHold = null }));
        // Other algorithms have none, and their JSON and ids are as before.
        var sign = TrialYaml.Parse(Example, "trial.yaml");
        Assert.Null(sign.KinkHold);
        Assert.DoesNotContain("kink_hold", TrialJson.Serialize(sign));
    }

    [Fact]
    public void Steepest_and_adam_take_their_own_keys()
    {
        var steepest = TrialYaml.Parse(Example.Replace("algorithm: sign", "algorithm: steepest\np: 3"), "t.yaml");
        Assert.Equal(3, steepest.P);
        var adam = TrialYaml.Parse(Example.Replace("algorithm: sign", "algorithm: adam\neps: 0\nbeta1: 0.8").Replace("step: dual\n", ""), "t.yaml");
        Assert.Equal(new AdamSpec(0.8, 0.999, 0), adam.Adam);
    }

    [Fact]
    public void A_typo_is_an_unknown_key_with_its_line_and_column()
    {
        var error = SingleError(Example.Replace("checkpoint_every: 50", "checkpoint_evry: 50"));
        Assert.Equal(("trial.yaml", 10, 1, "checkpoint_evry"), (error.File, error.Line, error.Column, error.Key));
        Assert.Contains("not a known key", error.Message);
    }

    [Fact]
    public void A_nested_typo_names_the_dotted_key()
    {
        var error = SingleError(Example.Replace("width: 64", "widht: 64"));
        Assert.Equal("model.widht", error.Key);
        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("lr: 0.001", "lr: fast", "lr", "must be a number")]
    [InlineData("lr: 0.001", "lr: 0", "lr", "must be a positive number")]
    [InlineData("lr: 0.001", "lr: -1", "lr", "must be a positive number")]
    [InlineData("depth: 2", "depth: 0", "model.depth", "must be at least 1")]
    [InlineData("depth: 2", "depth: 1.5", "model.depth", "must be a whole number")]
    [InlineData("algorithm: sign", "algorithm: sgd", "algorithm", "must be one of gd, sign, coordinate, steepest, adam")]
    [InlineData("algorithm: sign", "algorithm: steepest\np: 1", "p", "must be in (1, inf)")]
    [InlineData("algorithm: sign", "algorithm: steepest", "algorithm", "")]
    [InlineData("algorithm: sign", "algorithm: sign\np: 3", "p", "applies to algorithm steepest only")]
    [InlineData("algorithm: sign", "algorithm: gd\neps: 0", "eps", "applies to algorithm adam only")]
    [InlineData("algorithm: sign", "algorithm: sign\nkink_hold: true", "kink_hold", "applies to algorithm coordinate only, not sign")]
    [InlineData("algorithm: sign", "algorithm: coordinate\nkink_hold: often", "kink_hold", "must be true or false, found 'often'")]
    [InlineData("loss: exponential", "loss: hinge", "loss", "must be one of exponential, logistic")]
    [InlineData("lr_schedule: constant", "lr_schedule: [1]", "lr_schedule", "must be a single value")]
    [InlineData("steps: 2000", "steps: -5", "steps", "must be zero or more")]
    [InlineData("checkpoint_every: 50", "checkpoint_every: 0", "checkpoint_every", "must be at least 1")]
    [InlineData("kind: synthetic", "kind: imagenet", "dataset.kind", "must be one of synthetic, teacher, sparse-teacher, idx, csv")]
    [InlineData("seed: 0}", "seed: 0, colour: red}", "dataset.colour", "not a known key")]
    public void Wrong_types_and_impossible_values_name_the_key(string find, string replace, string key, string message)
    {
        var errors = Assert.Throws<ConfigException>(() => TrialYaml.Parse(Example.Replace(find, replace), "trial.yaml")).Errors;
        var error = errors.First(e => e.Key == key || (key == "algorithm" && e.Key == "p"));
        Assert.Contains(message, error.Message);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void Batch_size_larger_than_the_training_set_is_refused()
    {
        var error = SingleError(Example + "\nbatch_size: 500");
        Assert.Equal("batch_size", error.Key);
        Assert.Contains("200 training points", error.Message);
    }

    [Fact]
    public void Idx_needs_at_least_two_distinct_classes()
    {
        var yaml = Example.Replace("{kind: synthetic, n: 200, dim: 20, margin: 0.1, seed: 0}", "{kind: idx, classes: [3]}");
        Assert.Equal("dataset.classes", SingleError(yaml).Key);
        var spec = TrialYaml.Parse(yaml.Replace("[3]", "[0, 6]"), "t.yaml");
        Assert.Equal(new IdxDatasetSpec(IdxDatasetSpec.DefaultPath, [0, 6], 250, 0, 0), spec.Dataset);
    }

    [Fact]
    public void Every_problem_is_reported_not_just_the_first()
    {
        var errors = Assert.Throws<ConfigException>(() => TrialYaml.Parse(Example.Replace("lr: 0.001", "lr: 0").Replace("steps: 2000", "stepz: 2000"), "t.yaml")).Errors;
        Assert.Equal(["lr", "stepz"], errors.Select(e => e.Key).Order());
    }

    [Fact]
    public void Invalid_yaml_is_located()
    {
        var error = SingleError("dataset: {kind: synthetic\nlr: [1, 2");
        Assert.Contains("not valid YAML", error.Message);
        Assert.True(error.Line >= 1);
    }

    [Fact]
    public void Overrides_win_over_the_file_and_bad_ones_name_the_command_line()
    {
        var overrides = new[] { new KeyOverride("lr", "0.5", "--lr"), new KeyOverride("model.width", "8", "--width") };
        var spec = TrialYaml.Parse(Example, "t.yaml", overrides);
        Assert.Equal(0.5, spec.Lr);
        Assert.Equal(8, spec.Model.Width);
        var error = SingleError(Example, [new KeyOverride("lr", "zero", "--lr")]);
        Assert.Equal(("command line", "lr"), (error.File, error.Key));
    }

    [Fact]
    public void Changing_the_dataset_kind_by_override_replaces_the_section()
    {
        var spec = TrialYaml.Parse(Example, "t.yaml", [new KeyOverride("dataset.kind", "idx", "--dataset"), new KeyOverride("dataset.classes", "0,6", "--classes")]);
        Assert.Equal([0, 6], Assert.IsType<IdxDatasetSpec>(spec.Dataset).Classes);
    }

    [Fact]
    public void Missing_file_is_an_error_naming_it()
    {
        var error = Assert.Single(Assert.Throws<ConfigException>(() => TrialYaml.Load("/nonexistent/trial.yaml")).Errors);
        Assert.Equal("/nonexistent/trial.yaml", error.File);
        Assert.Contains("not found", error.Message);
    }
}
