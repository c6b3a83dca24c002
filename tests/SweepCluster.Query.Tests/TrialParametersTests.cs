using SweepCluster.Query.Results;
using SweepCluster.Trials;

namespace SweepCluster.Query.Tests;

public sealed class TrialParametersTests
{
    private static List<IReadOnlyDictionary<string, ParameterValue>> Flatten(params TrialSpec[] specs) =>
        specs.Select(s => (IReadOnlyDictionary<string, ParameterValue>)TrialParameters.Flatten(TrialJson.Serialize(s))).ToList();

    [Fact]
    public void An_optimizer_axis_groups_by_algorithm_alone()
    {
        var trials = Flatten(
            StudyEvents.Spec(AlgorithmKind.Gd, 0.02, 0), StudyEvents.Spec(AlgorithmKind.Gd, 0.02, 1),
            StudyEvents.Spec(AlgorithmKind.Adam, 0.001, 0), StudyEvents.Spec(AlgorithmKind.Adam, 0.001, 1));
        var varying = TrialParameters.Varying(trials);

        Assert.Equal(["algorithm", "lr", "seed", "adam.beta1", "adam.beta2", "adam.eps"], varying);
        Assert.Equal(["algorithm"], TrialParameters.DefaultGroups(trials, varying));
    }

    [Fact]
    public void Crossed_axes_are_all_kept()
    {
        var trials = Flatten(
            StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 0, width: 8), StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 0, width: 16),
            StudyEvents.Spec(AlgorithmKind.Sign, 0.1, 0, width: 8), StudyEvents.Spec(AlgorithmKind.Sign, 0.1, 0, width: 16),
            StudyEvents.Spec(AlgorithmKind.Gd, 0.2, 0, width: 8));

        Assert.Equal(["algorithm", "lr", "model.width"], TrialParameters.DefaultGroups(trials, TrialParameters.Varying(trials)));
    }

    [Fact]
    public void Numbers_match_as_numbers()
    {
        var lr = TrialParameters.Flatten(TrialJson.Serialize(StudyEvents.Spec(AlgorithmKind.Gd, 0.001, 0)))["lr"];
        Assert.True(lr.Matches("1e-3"));
        Assert.False(lr.Matches("0.01"));
        Assert.True(TrialParameters.Flatten(TrialJson.Serialize(StudyEvents.Spec(AlgorithmKind.Gd, 0.001, 0)))["algorithm"].Matches("gd"));
    }
}
