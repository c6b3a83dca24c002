using SweepCluster.Protocol.Scheduling;

namespace SweepCluster.Protocol.Tests;

/// <summary>
/// The replicate-group rule against per-trial ASHA on simulated studies whose best configuration is
/// known: 27 configurations x 3 seeds, 8 slots, the same rungs and reduction factor.
/// </summary>
public sealed class ReplicateGroupRuleTests(ITestOutputHelper output)
{
    private const int Studies = 60;

    private static readonly SchedulerSettings Groups = new(SchedulerKind.Asha, "margin_l2", Goal.Max, MinSteps: 30, ReductionFactor: 3, Every: 30, Confidence: 0.95);

    private static readonly SchedulerSettings PerTrial = Groups with { Unit = ScheduleUnit.Trial };

    public static (double PickedBest, double LostASeed, double LostAll, double Compute) Score(SimulatedStudy simulation, SchedulerSettings scheduler, int studies)
    {
        var outcomes = Enumerable.Range(0, studies).Select(seed => simulation.Run(scheduler, seed)).ToList();
        return (
            outcomes.Count(o => o.ChosenConfiguration == o.TrueBest) / (double)studies,
            outcomes.Count(o => o.TrueBestLostASeed) / (double)studies,
            outcomes.Count(o => o.TrueBestLostAllSeeds) / (double)studies,
            outcomes.Sum(o => o.StepsTrained) / (double)outcomes.Sum(o => o.FullGridSteps));
    }

    [Fact]
    public void Replicate_groups_pick_the_true_best_at_least_as_often_and_prune_it_less_often_than_per_trial_asha()
    {
        var simulation = new SimulatedStudy { Configurations = 27, Seeds = 3 };
        var groups = Score(simulation, Groups, Studies);
        var perTrial = Score(simulation, PerTrial, Studies);
        output.WriteLine($"replicate groups: picked best {groups.PickedBest:P0}, best lost a seed {groups.LostASeed:P0}, lost all {groups.LostAll:P0}, compute {groups.Compute:P0} of the full grid");
        output.WriteLine($"per-trial asha:   picked best {perTrial.PickedBest:P0}, best lost a seed {perTrial.LostASeed:P0}, lost all {perTrial.LostAll:P0}, compute {perTrial.Compute:P0} of the full grid");
        Assert.True(groups.PickedBest >= perTrial.PickedBest, $"groups {groups.PickedBest:P0} < per-trial {perTrial.PickedBest:P0}");
        Assert.True(groups.LostASeed < perTrial.LostASeed, $"groups {groups.LostASeed:P0} >= per-trial {perTrial.LostASeed:P0}");
        Assert.True(groups.Compute < 0.6, $"the replicate-group rule used {groups.Compute:P0} of the full grid's steps");
        // Judged as a group, a configuration keeps all its seeds or none: the best is never left with a partial replicate set.
        Assert.Equal(groups.LostASeed, groups.LostAll);
    }
}
