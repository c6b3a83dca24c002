using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Tests;

public sealed class StudyProgressTests
{
    /// <summary>Four trials (gd, sign, coordinate, adam) of 40 steps; the first two assigned to a worker.</summary>
    private static StudyState TwoAssigned()
    {
        var state = StudyState.Empty("s");
        foreach (var e in state.Start(TestTrials.Start(TestTrials.Sweep("s")), DateTimeOffset.UnixEpoch).Events)
        {
            state = state.Apply(e);
        }
        foreach (var e in state.Assign(new RequestWork("s", 2, "n1"), DateTimeOffset.UnixEpoch))
        {
            state = state.Apply(e);
        }
        return state;
    }

    [Fact]
    public void Trials_a_worker_holds_are_running_when_a_slot_trains_them_and_queued_otherwise()
    {
        var state = TwoAssigned();
        var running = state.Trials.Values.Where(t => t.Status == TrialStatus.Running).OrderBy(t => t.Ordinal).ToList();

        var progress = StudyProgress.From(state, 1, t => t.TrialId == running[0].TrialId);

        Assert.Equal((2, 1, 1, 2), (progress.Running, progress.Training, progress.Queued, progress.Pending));
        Assert.Equal(0, StudyProgress.From(state, 1).Queued);
    }

    [Fact]
    public void The_eta_is_the_steps_left_at_each_algorithms_measured_speed_over_the_slots_training()
    {
        var trials = TwoAssigned().Trials.Values.OrderBy(t => t.Ordinal).ToList();
        // gd has run 10 of its 40 steps at 2 ms a step, sign 20 at 5 ms a step; coordinate and adam have not started.
        trials[0] = trials[0] with { LastStep = 10, Latest = TestTrials.At(10) with { WallMs = 20 } };
        trials[1] = trials[1] with { LastStep = 20, Latest = TestTrials.At(20) with { WallMs = 100 } };

        // Unstarted algorithms run at the mean measured speed, 3.5 ms a step.
        var leftMs = 30 * 2.0 + 20 * 5.0 + 40 * 3.5 + 40 * 3.5;
        Assert.Equal(leftMs / 2 / 1000, StudyProgress.Eta(trials, trainingNow: 2)!.Value, 12);
        Assert.Equal(leftMs / 1000, StudyProgress.Eta(trials, trainingNow: 1)!.Value, 12);
        Assert.Null(StudyProgress.Eta(trials, trainingNow: 0));
        Assert.Null(StudyProgress.Eta(trials.Select(t => t with { Latest = null }), trainingNow: 2));
        Assert.Equal(0, StudyProgress.Eta(trials.Select(t => t with { Status = TrialStatus.Completed }), trainingNow: 2));
    }
}
