using SweepCluster.Trials;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Sweeps.Tests;

public sealed class SweepReaderTests
{
    private const string Base = """
        study: flavors-small
        dataset: {kind: synthetic, n: 40, dim: 5, margin: 0.2, seed: 0}
        model: {depth: 2, width: 16}
        steps: 100
        checkpoint_every: 10
        """;

    private static Sweep Parse(string yaml) => SweepReader.Parse(yaml, "sweep.yaml");

    private static IReadOnlyList<ConfigError> Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => Parse(yaml)).Errors;

    [Fact]
    public void A_key_set_by_both_the_grid_and_the_random_search_is_refused_where_random_sets_it()
    {
        var error = Assert.Single(Errors(Base + """

            grid:
              optimizer:
                - {algorithm: gd, lr: 0.02}
            random:
              samples: 2
              lr: {loguniform: [1.0e-4, 1.0e-1]}
            """));
        Assert.Equal(("random.lr", 11), (error.Key, error.Line));
        Assert.Contains("is also set by the grid (line 8, column 23)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_set_by_two_grid_axes_is_refused()
    {
        var error = Assert.Single(Errors(Base + """

            grid:
              optimizer:
                - {algorithm: gd, lr: 0.02}
              lr: [0.1, 0.2]
            """));
        Assert.Equal(("grid.lr", 9), (error.Key, error.Line));
        Assert.Contains("is set twice by the grid (also at line 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shared_key_the_grid_sweeps_is_kept_with_a_note_that_its_value_is_unused()
    {
        var sweep = Parse(Base + """

            algorithm: gd
            lr: 0.1
            grid: {model.width: [8, 32]}
            """);
        Assert.Equal([8, 32], sweep.Trials.Select(t => t.Spec.Model.Width));
        Assert.Equal("model.width: the shared value 16 (line 3) is never used; the sweep sets it at line 8", Assert.Single(sweep.Notes));
    }

    [Fact]
    public void Grid_is_the_cartesian_product_of_its_axes_with_conditional_maps()
    {
        var sweep = Parse(Base + """

            grid:
              optimizer:
                - {algorithm: gd, lr: 1.0e-2}
                - {algorithm: sign, lr: 1.0e-3, step: normalized}
                - {algorithm: adam, lr: 1.0e-3, eps: 0}
              seed: [0, 1]
              model.width: [8, 16]
            """);
        Assert.Equal("flavors-small", sweep.Study);
        Assert.Equal(2, sweep.MaxRetries);
        Assert.Equal(12, sweep.Trials.Count);
        var adam = sweep.Trials.Where(t => t.Spec.Algorithm == AlgorithmKind.Adam).ToList();
        Assert.Equal(4, adam.Count);
        Assert.All(adam, t => Assert.Equal(new AdamSpec(0.9, 0.999, 0), t.Spec.Adam));
        Assert.All(sweep.Trials.Where(t => t.Spec.Algorithm == AlgorithmKind.Sign), t => Assert.Equal(StepForm.Normalized, t.Spec.Step));
        Assert.Equal([8, 16], sweep.Trials.Select(t => t.Spec.Model.Width).Distinct().Order());
        Assert.Equal(12, sweep.Trials.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public void Ids_are_stable_and_follow_the_resolved_configuration()
    {
        var yaml = Base + "\nalgorithm: gd\nlr: 0.1\ngrid: {seed: [0, 1, 2]}\n";
        Assert.Equal(Parse(yaml).Trials.Select(t => t.Id), Parse(yaml).Trials.Select(t => t.Id));
        // The same trial written another way has the same id.
        var reordered = "algorithm: gd\nlr: 0.1\n" + Base + "\ngrid: {seed: [2, 1, 0]}\n";
        Assert.Equal(Parse(yaml).Trials.Select(t => t.Id).Order(), Parse(reordered).Trials.Select(t => t.Id).Order());
        var ids = Parse(yaml).Trials.Select(t => t.Id).ToList();
        Assert.Equal(ids, Parse(yaml).Trials.Select(t => TrialJson.StableId(t.Spec)));
    }

    [Fact]
    public void Random_search_draws_samples_reproducibly_within_bounds()
    {
        var yaml = Base + """

            algorithm: gd
            random:
              samples: 20
              seed: 7
              lr: {loguniform: [1.0e-4, 1.0e-1]}
              model.width: {int: [4, 12]}
              model.init_scale: {uniform: [0.01, 0.1]}
              loss: {choice: [exponential, logistic]}
            """;
        var first = Parse(yaml);
        Assert.Equal(20, first.Trials.Count);
        Assert.Equal(first.Trials.Select(t => t.Id), Parse(yaml).Trials.Select(t => t.Id));
        Assert.All(first.Trials, t =>
        {
            Assert.InRange(t.Spec.Lr, 1e-4, 1e-1);
            Assert.InRange(t.Spec.Model.Width, 4, 12);
            Assert.InRange(t.Spec.Model.InitScale, 0.01, 0.1);
        });
        Assert.Equal(2, first.Trials.Select(t => t.Spec.Loss).Distinct().Count());
        Assert.NotEqual(first.Trials.Select(t => t.Id), Parse(yaml.Replace("seed: 7", "seed: 8")).Trials.Select(t => t.Id));
    }

    [Fact]
    public void Random_samples_cross_the_grid()
    {
        var sweep = Parse(Base + """

            random: {samples: 3, lr: {loguniform: [1.0e-3, 1.0e-1]}}
            grid:
              algorithm: [gd, coordinate]
              seed: [0, 1]
            """);
        Assert.Equal(12, sweep.Trials.Count);
        // Each sampled learning rate is shared by every algorithm and seed.
        Assert.All(sweep.Trials.GroupBy(t => t.Spec.Lr), g => Assert.Equal(4, g.Count()));
    }

    [Fact]
    public void A_choice_of_mappings_sets_several_keys()
    {
        var sweep = Parse(Base + """

            random:
              samples: 10
              optimizer: {choice: [{algorithm: gd, lr: 0.1}, {algorithm: steepest, p: 3, lr: 0.01}]}
            """);
        Assert.All(sweep.Trials, t => Assert.Equal(t.Spec.Algorithm == AlgorithmKind.Steepest ? 3 : null, t.Spec.P));
    }

    [Theory]
    [InlineData("grid: {seed: []}", "grid.seed", "is empty")]
    [InlineData("grid: {seed: 3}", "grid.seed", "must be a list")]
    [InlineData("grid: {optimizer: [gd]}", "grid.optimizer", "its values must be mappings of trial keys")]
    [InlineData("grid: {optimizer: [{algo: gd}]}", "grid.optimizer.algo", "is not a trial key")]
    [InlineData("grid: {lr: [0.1, -0.1]}", "lr", "must be a positive number")]
    [InlineData("grid: {model.depth: [0]}", "model.depth", "must be at least 1")]
    [InlineData("grid: {model.widht: [4]}", "model.widht", "not a known key")]
    [InlineData("lrr: 0.1", "lrr", "not a known key")]
    [InlineData("random: {lr: {uniform: [1, 2]}}", "random.samples", "is required")]
    [InlineData("random: {samples: 0}", "random.samples", "at least 1")]
    [InlineData("random: {samples: 2, lr: {loguniform: [0, 1]}}", "random.lr", "loguniform needs low > 0")]
    [InlineData("random: {samples: 2, lr: {gaussian: [0, 1]}}", "random.lr", "unknown distribution")]
    [InlineData("random: {samples: 2, lr: {uniform: [2, 1]}}", "random.lr", "must be below high")]
    [InlineData("random: {samples: 2, p: {uniform: [0.5, 0.9]}}", "p", "must be in (1, inf)")]
    [InlineData("max_retries: -1", "max_retries", "zero or more")]
    public void Bad_sweeps_name_the_key_and_where_it_is(string addition, string key, string message)
    {
        var yaml = Base + "\nalgorithm: steepest\np: 2\nlr: 0.1\n" + addition + "\n";
        if (addition.StartsWith("random: {samples: 2, p:", StringComparison.Ordinal))
        {
            yaml = yaml.Replace("p: 2\n", "");
        }
        var errors = Errors(yaml);
        var error = Assert.Single(errors, e => e.Key == key);
        Assert.Contains(message, error.Message);
        Assert.Equal("sweep.yaml", error.File);
        Assert.True(error.Line > 1, $"line {error.Line}");
        Assert.True(error.Column >= 1);
    }

    [Fact]
    public void A_value_from_a_grid_axis_is_located_at_that_value()
    {
        var yaml = Base + "\nalgorithm: gd\ngrid:\n  lr: [0.1, 0.0]\n";
        var error = Assert.Single(Errors(yaml));
        Assert.Equal(("lr", 8, 13), (error.Key, error.Line, error.Column));
    }

    [Fact]
    public void The_study_name_is_required_and_checked()
    {
        Assert.Contains(Errors(Base.Replace("study: flavors-small\n", "") + "\nalgorithm: gd\nlr: 0.1\n"), e => e.Key == "study" && e.Message.Contains("is required"));
        Assert.Contains(Errors(Base.Replace("flavors-small", "my study!") + "\nalgorithm: gd\nlr: 0.1\n"), e => e.Key == "study" && e.Message.Contains("letters, digits"));
    }

    [Fact]
    public void Duplicate_points_collapse_into_one_trial()
    {
        var sweep = Parse(Base + "\nalgorithm: gd\nlr: 0.1\ngrid: {seed: [1, 1, 2]}\n");
        Assert.Equal(2, sweep.Trials.Count);
    }
}
