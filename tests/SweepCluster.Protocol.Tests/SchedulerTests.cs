using SweepCluster.Protocol.Scheduling;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Tests;

/// <summary>The scheduler seam of the study decider, without actors: rungs, judgements, pruning, replay.</summary>
public sealed class SchedulerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static readonly SchedulerSettings Asha = new(SchedulerKind.Asha, "margin_l2", Goal.Max, MinSteps: 10, ReductionFactor: 3, Every: 10, Confidence: 0.95);

    /// <summary>Three configurations (learning rates) of two seeds, 40 steps, all four trials of two configurations running.</summary>
    private static (StudyState State, List<TrialRecord> Trials, List<IStudyEvent> Journal) Study(SchedulerSettings scheduler, int slots = 6)
    {
        var sweep = Sweeps.SweepReader.Parse("""
            study: s
            dataset: {kind: synthetic, n: 30, dim: 5, margin: 0.3, seed: 1}
            model: {depth: 2, width: 8}
            algorithm: gd
            steps: 40
            checkpoint_every: 5
            grid:
              lr: [0.1, 0.2, 0.3]
              seed: [0, 1]
            """, "test.yaml");
        var journal = new List<IStudyEvent>();
        var state = StudyState.Empty("s");
        state = Apply(state, state.Start(Trials.Start(sweep) with { Scheduler = scheduler }, Now).Events, journal);
        state = Apply(state, state.Assign(new RequestWork("s", slots, "n1"), Now), journal);
        return (state, state.Trials.Values.OrderBy(t => t.Ordinal).ToList(), journal);
    }

    private static StudyState Apply(StudyState state, IEnumerable<IStudyEvent> events, List<IStudyEvent> journal)
    {
        foreach (var e in events)
        {
            journal.Add(e);
            state = state.Apply(e);
        }
        return state;
    }

    private static CheckpointBatch At(TrialRecord trial, long step, double margin, double trainAccuracy = 1) =>
        new("s", trial.TrialId, trial.Attempt == 0 ? 1 : trial.Attempt, 0, [Trials.At(step) with { MarginL2 = margin, TrainAccuracy = trainAccuracy }]);

    [Fact]
    public void Rungs_grow_by_the_reduction_factor_below_the_last_step()
    {
        Assert.Equal([10, 30, 90], Asha.Rungs(100));
        Assert.Equal([10, 20, 30], (Asha with { Kind = SchedulerKind.Median }).Rungs(40));
        Assert.Empty(SchedulerSettings.Fifo.Rungs(100));
    }

    [Fact]
    public void A_configuration_is_judged_once_all_its_seeds_reach_the_rung_and_stops_only_when_clearly_behind()
    {
        var (state, trials, journal) = Study(Asha);
        // Configuration 0 reaches rung 10 first: alone there, it goes on.
        state = Apply(state, state.Record(At(trials[0], 10, 1.0), Now), journal);
        Assert.DoesNotContain(journal, e => e is RungJudged);
        state = Apply(state, state.Record(At(trials[1], 10, 1.1), Now), journal);
        var first = Assert.IsType<RungJudged>(journal[^1]);
        Assert.True(first.Continues);
        Assert.Equal(10, first.Rung);

        // Configuration 1 is far behind with both seeds: below the cut (top 1 of 2), clearly, so both seeds stop.
        state = Apply(state, state.Record(At(trials[2], 10, 0.10), Now), journal);
        var events = state.Record(At(trials[3], 10, 0.11), Now);
        var judged = Assert.Single(events.OfType<RungJudged>());
        Assert.False(judged.Continues);
        Assert.Equal(RungBasis.Metric, judged.Evidence.Basis);
        Assert.Equal(2, judged.Evidence.Rank);
        var pruned = events.OfType<TrialPruned>().ToList();
        Assert.Equal([trials[2].TrialId, trials[3].TrialId], pruned.Select(p => p.TrialId).Order());
        state = Apply(state, events, journal);
        Assert.All(pruned, p => Assert.Equal(TrialStatus.Pruned, state.Trials[p.TrialId].Status));
        // A pruned trial keeps what it recorded.
        Assert.Equal(1, state.Trials[trials[2].TrialId].CheckpointCount);
    }

    [Fact]
    public void A_configuration_whose_interval_straddles_the_cut_goes_on()
    {
        var (state, trials, journal) = Study(Asha);
        state = Apply(state, state.Record(At(trials[0], 10, 1.0), Now), journal);
        state = Apply(state, state.Record(At(trials[1], 10, 1.0), Now), journal);
        state = Apply(state, state.Record(At(trials[2], 10, 0.2), Now), journal);
        // Seeds at 0.2 and 1.6: mean 0.9 below the cut (1.0), but with two seeds the interval is wide.
        var events = state.Record(At(trials[3], 10, 1.6), Now);
        var judged = Assert.Single(events.OfType<RungJudged>());
        Assert.True(judged.Continues);
        Assert.True(judged.Evidence.Upper > judged.Evidence.Cut);
        Assert.Empty(events.OfType<TrialPruned>());
    }

    [Fact]
    public void Before_its_seeds_fit_a_configuration_is_judged_on_loss_not_margin()
    {
        var (state, trials, journal) = Study(Asha);
        state = Apply(state, state.Record(At(trials[0], 10, 1.0), Now), journal);
        state = Apply(state, state.Record(At(trials[1], 10, 1.0), Now), journal);
        // Not fit, negative margins, but the same loss as the cut: not a reason to stop.
        state = Apply(state, state.Record(At(trials[2], 10, -3, trainAccuracy: 0.8), Now), journal);
        var events = state.Record(At(trials[3], 10, -3, trainAccuracy: 0.8), Now);
        var judged = Assert.Single(events.OfType<RungJudged>());
        Assert.Equal(RungBasis.Loss, judged.Evidence.Basis);
        Assert.True(judged.Continues);
    }

    [Fact]
    public void Pending_seeds_of_a_stopped_configuration_never_start()
    {
        var (state, _, journal) = Study(Asha, slots: 5);
        var waiting = state.Trials[Assert.Single(state.Pending.Values)];
        var others = state.Running.Where(t => t.ConfigurationId != waiting.ConfigurationId).ToList();
        var sibling = state.Running.Single(t => t.ConfigurationId == waiting.ConfigurationId);
        foreach (var trial in others)
        {
            state = Apply(state, state.Record(At(trial, 10, 1.0), Now), journal);
        }
        // One seed of the last configuration reached the rung, the other has not started: nothing is judged yet.
        state = Apply(state, state.Record(At(sibling, 10, 0.0), Now), journal);
        Assert.Equal(2, journal.OfType<RungJudged>().Count());
        state = Apply(state, state.Assign(new RequestWork("s", 1, "n1"), Now), journal);
        var events = state.Record(At(state.Trials[waiting.TrialId], 10, 0.01), Now);
        Assert.Contains(events, e => e is RungJudged { Continues: false });
        state = Apply(state, events, journal);
        Assert.Empty(state.Pending);
        Assert.Equal(2, state.Trials.Values.Count(t => t.Status == TrialStatus.Pruned));
    }

    [Fact]
    public void With_a_scheduler_configurations_start_in_a_shuffled_order_with_their_seeds_together()
    {
        var (state, trials, _) = Study(Asha, slots: 0);
        var queue = state.Pending.Values.Select(id => state.Trials[id]).ToList();
        var configurations = queue.Select(t => t.ConfigurationId).Distinct().ToList();
        Assert.Equal(3, configurations.Count);
        // Seeds of a configuration are next to each other in the queue.
        Assert.Equal(configurations.SelectMany(c => queue.Where(t => t.ConfigurationId == c)).Select(t => t.TrialId), queue.Select(t => t.TrialId));
        var (fifo, _, _) = Study(SchedulerSettings.Fifo, slots: 0);
        Assert.Equal(trials.Select(t => t.TrialId), fifo.Pending.Values);
    }

    [Fact]
    public void A_recovered_state_replays_the_judgements_and_never_judges_a_rung_again()
    {
        var (state, trials, journal) = Study(Asha);
        foreach (var (trial, margin) in trials.Take(4).Zip([1.0, 1.0, 0.1, 0.1]))
        {
            state = Apply(state, state.Record(At(trial, 10, margin), Now), journal);
        }
        var recovered = journal.Aggregate(StudyState.Empty("s"), (s, e) => s.Apply(e));
        Assert.Equal(state.Trials.Values.Select(t => (t.TrialId, t.Status)).Order(), recovered.Trials.Values.Select(t => (t.TrialId, t.Status)).Order());
        // A re-sent batch of a judged configuration changes nothing, and a pruned trial's later batch is not recorded.
        Assert.Empty(recovered.Record(At(trials[0], 10, 1.0), Now));
        Assert.Empty(recovered.Record(At(trials[2], 15, 5.0) with { Sequence = 1 }, Now));
        // The running configuration's next checkpoints before the next rung judge nothing.
        var next = recovered.Record(At(recovered.Trials[trials[0].TrialId], 15, 1.0) with { Sequence = 1 }, Now);
        Assert.DoesNotContain(next, e => e is RungJudged or TrialPruned);
    }

    [Fact]
    public void A_study_whose_last_unfinished_trials_are_pruned_is_finished()
    {
        var (state, trials, journal) = Study(Asha with { MinSteps = 30 }, slots: 6);
        foreach (var trial in trials.Take(4))
        {
            state = Apply(state, state.Finish(new TrialFinished("s", trial.TrialId, 1, TrialEnd.Completed, 40, 5, Trials.At(40), null, [Trials.At(30) with { MarginL2 = 1 }, Trials.At(40)]), Now), journal);
        }
        state = Apply(state, state.Record(At(trials[4], 30, -0.5), Now), journal);
        var events = state.Record(At(trials[5], 30, -0.5), Now);
        Assert.Contains(events, e => e is TrialPruned);
        Assert.IsType<StudyFinished>(events[^1]);
    }

    [Fact]
    public void A_study_keeps_the_scheduler_it_was_created_with()
    {
        var (state, _, _) = Study(Asha);
        var sweep = Trials.Sweep("s");
        var (_, rejection) = state.Start(Trials.Start(sweep), Now);
        Assert.Contains("keeps its scheduler", rejection);
    }
}
