using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;
using SweepCluster.Trials;

namespace SweepCluster.Query.Tests;

public sealed class ParameterTableTests
{
    private static ParameterTable Flatten(params TrialSpec[] specs) => ParameterTable.Flatten(specs.Select(TrialJson.Serialize));

    [Fact]
    public void An_optimizer_axis_groups_by_algorithm_alone()
    {
        var trials = Flatten(
            StudyEvents.Spec(AlgorithmKind.Gd, 0.02, 0), StudyEvents.Spec(AlgorithmKind.Gd, 0.02, 1),
            StudyEvents.Spec(AlgorithmKind.Adam, 0.001, 0), StudyEvents.Spec(AlgorithmKind.Adam, 0.001, 1));
        var varying = trials.Varying();

        Assert.Equal(["algorithm", "lr", "seed", "adam.beta1", "adam.beta2", "adam.eps"], varying);
        Assert.Equal(["algorithm"], trials.DefaultGroups(varying));
    }

    [Fact]
    public void Crossed_axes_are_all_kept()
    {
        var trials = Flatten(
            StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 0, width: 8), StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 0, width: 16),
            StudyEvents.Spec(AlgorithmKind.Sign, 0.1, 0, width: 8), StudyEvents.Spec(AlgorithmKind.Sign, 0.1, 0, width: 16),
            StudyEvents.Spec(AlgorithmKind.Gd, 0.2, 0, width: 8));

        Assert.Equal(["algorithm", "lr", "model.width"], trials.DefaultGroups(trials.Varying()));
    }

    [Fact]
    public void Numbers_match_as_numbers()
    {
        var trial = Flatten(StudyEvents.Spec(AlgorithmKind.Gd, 0.001, 0));
        Assert.True(trial.Value(0, "lr").Matches("1e-3"));
        Assert.False(trial.Value(0, "lr").Matches("0.01"));
        Assert.True(trial.Value(0, "algorithm").Matches("gd"));
    }

    [Fact]
    public void Each_trial_has_its_own_values_and_keys_only_later_trials_bring_are_missing_in_earlier_ones()
    {
        // A null section (adam in a gd trial) is a key; an object (model) is not.
        var trials = Flatten(
            StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 0, width: 8), StudyEvents.Spec(AlgorithmKind.Gd, 0.2, 1, width: 8),
            StudyEvents.Spec(AlgorithmKind.Adam, 0.1, 2, width: 16));

        Assert.Equal(["0.1", "0.2", "0.1"], Enumerable.Range(0, 3).Select(i => trials.Value(i, "lr").Text));
        Assert.Equal([0.0, 1.0, 2.0], Enumerable.Range(0, 3).Select(i => trials.Value(i, "seed").Number!.Value));
        Assert.Equal(["8", "8", "16"], Enumerable.Range(0, 3).Select(i => trials.Value(i, "model.width").Text));
        Assert.True(trials.Value(0, "adam").IsMissing);
        Assert.True(trials.Value(0, "adam.eps").IsMissing);
        Assert.False(trials.Value(2, "adam.eps").IsMissing);
        Assert.True(trials.HasKey("adam.eps"));
        Assert.False(trials.HasKey("model"));
        Assert.True(trials.Value(1, "no.such.key").IsMissing);
    }

    [Fact]
    public void Trials_read_by_configuration_and_seed_flatten_as_their_specs_do()
    {
        var specs = new[]
        {
            StudyEvents.Spec(AlgorithmKind.Gd, 1e-4, 0), StudyEvents.Spec(AlgorithmKind.Gd, 1e-4, 7), StudyEvents.Spec(AlgorithmKind.Adam, 1e-3, 7),
            StudyEvents.Spec(AlgorithmKind.Adam, 1e-3, 12, width: 16), StudyEvents.Spec(AlgorithmKind.Gd, 1e-4, 3),
        };
        // The last trial comes from a read model projected before config_json existed.
        var rows = specs.Select((s, i) => Row(TrialJson.Serialize(s), s.Seed, withConfig: i < specs.Length - 1)).ToList();

        var bySpec = ParameterTable.Flatten(specs.Select(TrialJson.Serialize));
        var byConfiguration = ParameterTable.Flatten(rows);

        Assert.Equal(bySpec.Keys, byConfiguration.Keys);
        Assert.Equal(bySpec.Varying(), byConfiguration.Varying());
        Assert.Contains("seed", byConfiguration.Varying());
        for (var i = 0; i < specs.Length; i++)
        {
            Assert.Equal(bySpec.Values(i, bySpec.Keys), byConfiguration.Values(i, bySpec.Keys));
        }
        Assert.Equal(new ParameterValue("12", 12), byConfiguration.Value(3, "seed"));
    }

    private static TrialRow Row(string specJson, int seed, bool withConfig) => new(
        "t" + seed, 0, specJson, AlgorithmKind.Gd, 0.1, seed, 100, TrialStatus.Completed, 1, 0, null, 100, 11, TrialEnd.Completed, null, null,
        withConfig ? ReplicateConfig.Of(specJson) : null, null);
}
