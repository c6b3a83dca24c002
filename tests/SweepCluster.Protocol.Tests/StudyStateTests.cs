using SweepCluster.Protocol;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Tests;

/// <summary>The coordinator's decisions and event application, without an actor.</summary>
public sealed class StudyStateTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static StudyState Apply(StudyState state, IEnumerable<IStudyEvent> events) => events.Aggregate(state, (s, e) => s.Apply(e));

    private static StudyState Started(string study = "s", int seeds = 1)
    {
        var (events, rejection) = StudyState.Empty(study).Start(TestTrials.Start(TestTrials.Sweep(study, seeds)), Now);
        Assert.Null(rejection);
        return Apply(StudyState.Empty(study), events);
    }

    private static (StudyState State, TrialAssigned Assignment) AssignOne(StudyState state, string node = "node-a")
    {
        var events = state.Assign(new RequestWork(state.StudyId, 1, node), Now);
        return (Apply(state, events), Assert.IsType<TrialAssigned>(Assert.Single(events)));
    }

    [Fact]
    public void Starting_creates_the_study_with_every_trial_pending()
    {
        var state = Started(seeds: 2);
        Assert.Equal(StudyPhase.Running, state.Phase);
        Assert.Equal(8, state.Trials.Count);
        Assert.Equal(8, state.Pending.Count);
    }

    [Fact]
    public void Workers_get_at_most_their_free_slots_oldest_first()
    {
        var state = Started(seeds: 2);
        var events = state.Assign(new RequestWork("s", 3, "n"), Now).Cast<TrialAssigned>().ToList();
        Assert.Equal(3, events.Count);
        Assert.Equal(state.Pending.Values.Take(3), events.Select(e => e.TrialId));
        Assert.All(events, e => Assert.Equal(1, e.Attempt));
        Assert.Equal(5, Apply(state, events).Pending.Count);
    }

    [Fact]
    public void A_resent_batch_and_repeated_steps_are_kept_once()
    {
        var (state, a) = AssignOne(Started());
        var batch = new CheckpointBatch("s", a.TrialId, a.Attempt, 0, [TestTrials.At(0), TestTrials.At(5)]);
        state = Apply(state, state.Record(batch, Now));
        Assert.Empty(state.Record(batch, Now));
        var overlapping = state.Record(batch with { Sequence = 1, Checkpoints = [TestTrials.At(5), TestTrials.At(10)] }, Now);
        Assert.Equal([10L], Assert.IsType<CheckpointsRecorded>(Assert.Single(overlapping)).Checkpoints.Select(c => c.Step));
    }

    [Fact]
    public void A_batch_that_overtakes_a_lost_one_waits_for_it()
    {
        var (state, a) = AssignOne(Started());
        var first = new CheckpointBatch("s", a.TrialId, 1, 0, [TestTrials.At(0), TestTrials.At(5)]);
        var second = new CheckpointBatch("s", a.TrialId, 1, 1, [TestTrials.At(10), TestTrials.At(15)]);
        Assert.True(state.BatchIsAhead(second));
        Assert.Empty(state.Record(second, Now));
        state = Apply(state, state.Record(first, Now));
        Assert.False(state.BatchIsAhead(second));
        state = Apply(state, state.Record(second, Now));
        Assert.Equal((4L, 15L), (state.Trials[a.TrialId].CheckpointCount, state.Trials[a.TrialId].LastStep));
    }

    [Fact]
    public void The_last_checkpoints_are_stored_with_the_end_of_the_trial_once()
    {
        var (state, a) = AssignOne(Started());
        state = Apply(state, state.Record(new CheckpointBatch("s", a.TrialId, 1, 0, [TestTrials.At(0), TestTrials.At(5)]), Now));
        var finished = new TrialFinished("s", a.TrialId, 1, TrialEnd.Completed, 10, 5, TestTrials.At(10), null, [TestTrials.At(5), TestTrials.At(10)]);
        var events = state.Finish(finished, Now);
        Assert.Equal([10L], Assert.IsType<CheckpointsRecorded>(events[0]).Checkpoints.Select(c => c.Step));
        Assert.IsType<TrialCompleted>(events[1]);
        state = Apply(state, events);
        Assert.Equal(3, state.Trials[a.TrialId].CheckpointCount);
        Assert.Empty(state.Finish(finished, Now));
    }

    [Fact]
    public void A_state_is_stored_only_after_the_checkpoints_before_it()
    {
        var (state, a) = AssignOne(Started());
        var report = new StateComplete("s", a.TrialId, 1, 12, 10, 1, 1);
        Assert.True(state.StateIsAhead(report));
        Assert.Empty(state.SaveState(report));
        state = Apply(state, state.Record(new CheckpointBatch("s", a.TrialId, 1, 0, [TestTrials.At(0), TestTrials.At(5), TestTrials.At(10)]), Now));
        Assert.False(state.StateIsAhead(report));
        Assert.IsType<TrialStateSaved>(Assert.Single(state.SaveState(report)));
    }

    [Fact]
    public void Messages_of_a_stale_attempt_are_ignored()
    {
        var (state, a) = AssignOne(Started());
        state = Apply(state, state.ReleaseLost(_ => false, "lost", Now));
        (state, var again) = AssignOne(state);
        Assert.Equal(a.TrialId, again.TrialId);
        Assert.Equal(2, again.Attempt);
        Assert.Empty(state.Record(new CheckpointBatch("s", a.TrialId, 1, 0, [TestTrials.At(0)]), Now));
        Assert.Empty(state.Finish(new TrialFinished("s", a.TrialId, 1, TrialEnd.Completed, 40, null, null, null, []), Now));
    }

    [Fact]
    public void A_failing_trial_is_retried_up_to_max_retries_then_failed()
    {
        var state = Started();
        string? trialId = null;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var events = state.Assign(new RequestWork("s", 4, "n"), Now).Cast<TrialAssigned>().ToList();
            state = Apply(state, events);
            var a = trialId is null ? events[0] : events.Single(e => e.TrialId == trialId);
            trialId = a.TrialId;
            Assert.Equal(attempt, a.Attempt);
            var failed = Assert.IsType<TrialFailed>(state.Crash(new TrialCrashed("s", a.TrialId, a.Attempt, "boom"), Now)[0]);
            Assert.Equal(attempt <= 2, failed.WillRetry);
            state = Apply(state, [failed]);
        }
        Assert.Equal(TrialStatus.Failed, state.Trials[trialId!].Status);
        Assert.Equal("boom", state.Trials[trialId!].Reason);
    }

    [Fact]
    public void The_study_finishes_when_every_trial_ended()
    {
        var state = Started();
        var events = state.Assign(new RequestWork("s", 4, "n"), Now).Cast<TrialAssigned>().ToList();
        state = Apply(state, events);
        IReadOnlyList<IStudyEvent> last = [];
        foreach (var a in events)
        {
            last = state.Finish(new TrialFinished("s", a.TrialId, 1, TrialEnd.Completed, 40, 10, TestTrials.At(40), null, [TestTrials.At(40)]), Now);
            state = Apply(state, last);
        }
        Assert.IsType<StudyFinished>(last[^1]);
        Assert.Equal(StudyPhase.Finished, state.Phase);
        Assert.Equal(4, StudyStatus.From(state).Completed);
    }

    [Fact]
    public void An_interrupted_trial_goes_back_to_pending_and_resumes_from_its_state()
    {
        var (state, a) = AssignOne(Started());
        state = Apply(state, state.Interrupt(Now));
        Assert.Empty(state.Assign(new RequestWork("s", 4, "n"), Now));
        state = Apply(state, state.SaveState(new StateComplete("s", a.TrialId, 1, 20, -1, 1, 3)));
        state = Apply(state, state.Finish(new TrialFinished("s", a.TrialId, 1, TrialEnd.Cancelled, 20, null, null, "interrupted", []), Now));
        Assert.Equal(TrialStatus.Pending, state.Trials[a.TrialId].Status);
        Assert.True(StudyStatus.From(state).IsSettled);
        state = Apply(state, state.Resume(Now));
        var again = Assert.IsType<TrialAssigned>(state.Assign(new RequestWork("s", 1, "n"), Now).Single());
        Assert.Equal((a.TrialId, 20L, 2), (again.TrialId, again.FromStep!.Value, again.Attempt));
    }

    [Fact]
    public void Running_the_sweep_again_adds_only_new_trials_and_refuses_incomparable_ones()
    {
        var state = Started(seeds: 1);
        var (events, rejection) = state.Start(TestTrials.Start(TestTrials.Sweep("s", seeds: 2)), Now);
        Assert.Null(rejection);
        Assert.Equal(4, Assert.IsType<TrialsAdded>(Assert.Single(events)).Trials.Count);

        var other = TestTrials.Start(TestTrials.Sweep("s")) is var start
            ? start with { Trials = start.Trials.Select(t => t with { TrialId = t.TrialId + "x", SpecJson = t.SpecJson.Replace("\"width\":8", "\"width\":9", StringComparison.Ordinal) }).ToList() }
            : null!;
        var (none, refused) = state.Start(other, Now);
        Assert.Empty(none);
        Assert.Contains("model is", refused);
    }
}
