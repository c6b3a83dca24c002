namespace SweepCluster.Trials.Tests;

/// <summary>
/// A trial's id is its identity in every store: re-running a sweep finds its trials by id. An id that
/// changed with the code would make every old trial look new and run it again.
/// </summary>
public sealed class TrialIdStabilityTests
{
    private static TrialSpec Spec() => new(
        new SyntheticDatasetSpec(10, 3, 0.1, 0, 0), new ModelSpec(2, 8, InitKind.Normal, 0.01), LossKind.Exponential,
        Reduction.Sum, AlgorithmKind.Gd, 0.01, StepForm.Dual, LrSchedule.Constant, null, null, null, 100, 10,
        new StopSpec(0, null), 0, 1);

    [Fact]
    public void Ids_computed_before_the_canonical_form_existed_are_unchanged()
    {
        // Computed by the first released form (SHA-256 of the spec's full JSON), and stored in users' studies.
        Assert.Equal("9361ac17aef547a9", TrialJson.StableId(Spec()));
        Assert.Equal(
            "4c4b29c8d02f6565",
            TrialJson.StableId(Spec() with { Dataset = new IdxDatasetSpec("/usr/share/datasets/fashion-mnist", [0, 6], 250, 50, 1), Algorithm = AlgorithmKind.Adam, Adam = new AdamSpec(0.9, 0.999, 0) }));
    }

    [Fact]
    public void Every_field_of_todays_spec_is_part_of_the_id()
    {
        Assert.Equal(TrialJson.Serialize(Spec()), TrialJson.CanonicalForm(Spec()));
    }

    [Fact]
    public void A_field_added_with_its_default_does_not_change_the_id_until_it_is_set()
    {
        var before = TrialJson.CanonicalForm(new ModelV1(2, 8));
        Assert.Equal(before, TrialJson.CanonicalForm(new ModelV2(2, 8)));
        Assert.Equal(before, TrialJson.CanonicalForm(new ModelV2(2, 8, Activation.Relu, null)));
        Assert.NotEqual(before, TrialJson.CanonicalForm(new ModelV2(2, 8, Activation.Gelu)));
        Assert.NotEqual(before, TrialJson.CanonicalForm(new ModelV2(2, 8, Bias: 0.5)));
        // Old JSON, without the field, reads back with its default.
        Assert.Equal(new ModelV2(2, 8), TrialJson.Deserialize<ModelV2>(TrialJson.Serialize(new ModelV1(2, 8))));
    }

    public enum Activation { Relu, Gelu }

    public sealed record ModelV1(int Depth, int Width);

    public sealed record ModelV2(int Depth, int Width, Activation Activation = Activation.Relu, double? Bias = null);
}
