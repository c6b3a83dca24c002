namespace SweepCluster.Trials.Tests;

public sealed class TrialJsonTests
{
    private static TrialSpec Spec(double lr = 0.01) => new(
        new SyntheticDatasetSpec(10, 3, 0.1, 0, 0), new ModelSpec(2, 8, InitKind.Normal, 0.01), LossKind.Exponential,
        Reduction.Sum, AlgorithmKind.Gd, lr, StepForm.Dual, LrSchedule.Constant, null, null, null, 100, 10,
        new StopSpec(0, null), 0, 1);

    [Fact]
    public void Specs_round_trip_through_json()
    {
        var spec = Spec() with { Dataset = new IdxDatasetSpec("/data", [0, 6], 250, 50, 1) };
        var back = TrialJson.Deserialize<TrialSpec>(TrialJson.Serialize(spec));
        Assert.Equal(spec, back);
        Assert.Contains("\"kind\":\"idx\"", TrialJson.Serialize(spec));
    }

    [Fact]
    public void The_stable_id_depends_on_the_configuration_only()
    {
        Assert.Equal(TrialJson.StableId(Spec()), TrialJson.StableId(Spec()));
        Assert.NotEqual(TrialJson.StableId(Spec()), TrialJson.StableId(Spec(0.02)));
        Assert.Matches("^[0-9a-f]{16}$", TrialJson.StableId(Spec()));
    }

    [Fact]
    public void Checkpoints_use_the_contract_field_names()
    {
        var json = TrialJson.Serialize(new Checkpoint(5, 0.5, 1, null, 1, 2, 3, 0.1, 0.2, 0.3, 0.01, 0.02, 0.03, 12.5));
        Assert.Equal(
            """{"step":5,"loss":0.5,"train_accuracy":1,"test_accuracy":null,"norm_l1":1,"norm_l2":2,"norm_linf":3,"margin_l1":0.1,"margin_l2":0.2,"margin_linf":0.3,"smoothed_margin_l1":0.01,"smoothed_margin_l2":0.02,"smoothed_margin_linf":0.03,"wall_ms":12.5}""",
            json);
    }
}
