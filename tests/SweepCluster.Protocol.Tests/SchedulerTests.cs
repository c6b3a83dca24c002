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
        state = Apply(state, state.Start(TestTrials.Start(sweep) with { Scheduler = scheduler }, Now).Events, journal);
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
        new("s", trial.TrialId, trial.Attempt == 0 ? 1 : trial.Attempt, 0, [TestTrials.At(step) with { MarginL2 = margin, TrainAccuracy = trainAccuracy }]);

    [Fact]
    public void Rungs_grow_by_the_reduction_factor_below_the_last_step()
    {
        Assert.Equal([10, 30, 90], Asha.Rungs(100));
        Assert.Equal([10, 20, 30], (Asha with { Kind = SchedulerKind.Median }).Rungs(40));
        Assert.Empty(SchedulerSettings.Fifo.Rungs(100));
    }

    /// <summary>The study's configurations (seeds of each in trial order), in the order of the first seed's trial.</summary>
    private static List<List<TrialRecord>> Configurations(StudyState state) =>
        state.Trials.Values.GroupBy(t => t.ConfigurationId).Select(g => g.OrderBy(t => t.Ordinal).ToList()).OrderBy(g => g[0].Ordinal).ToList();

    private static StudyState Reach(StudyState state, IEnumerable<TrialRecord> seeds, long step, List<IStudyEvent> journal, params double[] margins)
    {
        foreach (var (seed, margin) in seeds.Zip(margins))
        {
            var current = state.Trials[seed.TrialId];
            state = Apply(state, state.Record(new CheckpointBatch("s", current.TrialId, current.Attempt, current.NextBatch, [TestTrials.At(step) with { MarginL2 = margin }]), Now), journal);
        }
        return state;
    }

    [Fact]
    public void A_configuration_outside_the_cut_waits_without_a_slot_until_the_rung_is_final_and_then_stops_only_if_clearly_behind()
    {
        var (state, _, journal) = Study(Asha);
        var (a, b, c) = (Configurations(state)[0], Configurations(state)[1], Configurations(state)[2]);
        // A reaches rung 10 first. Alone there it is not promoted (ASHA keeps the top third, rounded down):
        // it waits, its seeds held at the rung. (Its first seed was held there until its second arrived.)
        state = Reach(state, a, 10, journal, 1.0, 1.1);
        Assert.Equal(RungDecision.Wait, Assert.Single(journal.OfType<RungJudged>()).Decision);
        Assert.Equal(a.Select(t => t.TrialId), journal.OfType<TrialHeld>().Select(h => h.TrialId));

        // B is far behind, but C could still reach the rung: B waits there too, and its seeds pause.
        state = Reach(state, b, 10, journal, 0.10, 0.11);
        var waiting = journal.OfType<RungJudged>().Last();
        Assert.Equal((b[0].ConfigurationId, RungDecision.Wait), (waiting.Configuration, waiting.Decision));
        Assert.Equal(b.Select(t => t.TrialId), journal.OfType<TrialHeld>().Skip(2).Select(h => h.TrialId));
        foreach (var seed in b)
        {
            state = Apply(state, state.Finish(new TrialFinished("s", seed.TrialId, 1, TrialEnd.Cancelled, 10, null, null, "paused", []), Now), journal);
            Assert.Equal(TrialStatus.Pending, state.Trials[seed.TrialId].Status);
            Assert.DoesNotContain(seed.TrialId, state.Pending.Values);
        }

        // C arrives: the rung is final. A, the best, is promoted; C and B are below the cut (A) and clearly so: both stop.
        var events = state.Record(new CheckpointBatch("s", c[0].TrialId, 1, 0, [TestTrials.At(10) with { MarginL2 = 0.2 }]), Now);
        state = Apply(state, events, journal);
        events = state.Record(new CheckpointBatch("s", c[1].TrialId, 1, 0, [TestTrials.At(10) with { MarginL2 = 0.21 }]), Now);
        Assert.Contains(events, e => e is RungJudged { Decision: RungDecision.Continue } j && j.Configuration == a[0].ConfigurationId);
        Assert.All(a, t => Assert.Null(events.Aggregate(state, (s, e) => s.Apply(e)).Trials[t.TrialId].HeldAt));
        var stops = events.OfType<RungJudged>().Where(j => j.Configuration != a[0].ConfigurationId).ToList();
        Assert.Equal([b[0].ConfigurationId, c[0].ConfigurationId], stops.Select(j => j.Configuration).Order(StringComparer.Ordinal));
        Assert.All(stops, j => Assert.Equal(RungDecision.Stop, j.Decision));
        Assert.All(stops, j => Assert.Equal(RungBasis.Metric, j.Evidence.Basis));
        state = Apply(state, events, journal);
        Assert.All(b.Concat(c), t => Assert.Equal(TrialStatus.Pruned, state.Trials[t.TrialId].Status));
        // A pruned trial keeps what it recorded; the running ones were told to stop.
        Assert.Equal(1, state.Trials[c[0].TrialId].CheckpointCount);
        Assert.Contains(events.OfType<TrialPruned>(), p => p.TrialId == c[0].TrialId && p.Attempt == 1);
        Assert.Contains(events.OfType<TrialPruned>(), p => p.TrialId == b[0].TrialId && p.Attempt == 0);
    }

    [Fact]
    public void A_configuration_whose_interval_straddles_the_cut_is_promoted_when_the_rung_is_final()
    {
        var (state, _, journal) = Study(Asha);
        var configurations = Configurations(state);
        state = Reach(state, configurations[0], 10, journal, 1.0, 1.0);
        state = Reach(state, configurations[1], 10, journal, 1.0, 1.1);
        // Seeds at 0.2 and 1.6: mean 0.9, below the cut, but with two seeds the interval is wide.
        var events = new List<IStudyEvent>();
        state = Reach(state, configurations[2], 10, events, 0.2, 1.6);
        var judged = events.OfType<RungJudged>().Last(j => j.Configuration == configurations[2][0].ConfigurationId);
        Assert.Equal(RungDecision.Continue, judged.Decision);
        Assert.True(judged.Evidence.Upper > judged.Evidence.Cut);
        Assert.DoesNotContain(events.OfType<TrialPruned>(), p => configurations[2].Any(t => t.TrialId == p.TrialId));
    }

    [Fact]
    public void A_straddling_configuration_gets_more_seeds_up_to_max_seeds_and_is_judged_again_with_them()
    {
        var (state, _, journal) = Study(Asha with { MaxSeeds = 4 });
        var configurations = Configurations(state);
        state = Reach(state, configurations[0], 10, journal, 1.0, 1.0);
        state = Reach(state, configurations[1], 10, journal, 1.0, 1.1);
        var straddler = configurations[2];
        var events = new List<IStudyEvent>();
        state = Reach(state, straddler, 10, events, 0.2, 0.9);
        journal.AddRange(events);

        var judged = events.OfType<RungJudged>().Single(j => j.Configuration == straddler[0].ConfigurationId);
        Assert.Equal(RungDecision.Replicate, judged.Decision);
        var added = Assert.Single(events.OfType<TrialsAdded>()).Trials;
        Assert.Equal([2, 3], added.Select(d => state.Trials[d.TrialId].Seed));
        Assert.All(added, d => Assert.Equal(straddler[0].ConfigurationId, state.Trials[d.TrialId].ConfigurationId));
        Assert.DoesNotContain(events.OfType<TrialPruned>(), p => straddler.Any(t => t.TrialId == p.TrialId));
        // The new seeds go first and pause by themselves at the rung; the first two wait there for them.
        Assert.Equal(added.Select(d => d.TrialId), state.Pending.Values.Take(2));
        Assert.All(straddler, t => Assert.Equal(10L, state.Trials[t.TrialId].HeldAt));
        state = Apply(state, state.Assign(new RequestWork("s", 2, "n1"), Now), journal);
        Assert.All(added, d => Assert.Equal(10L, state.PauseAt(d.TrialId)));

        // With four seeds the interval is narrow enough: clearly behind the cut, all four stop.
        var fresh = added.Select(d => state.Trials[d.TrialId]).ToList();
        events = [];
        state = Reach(state, fresh, 10, events, 0.25, 0.3);
        var again = events.OfType<RungJudged>().Single(j => j.Configuration == straddler[0].ConfigurationId);
        Assert.Equal((RungDecision.Stop, 4), (again.Decision, again.Evidence.Seeds));
        Assert.Equal(straddler.Select(t => t.TrialId).Concat(added.Select(d => d.TrialId)).Order(), events.OfType<TrialPruned>().Select(p => p.TrialId).Where(id => state.Trials[id].ConfigurationId == straddler[0].ConfigurationId).Order());
        Assert.DoesNotContain(events, e => e is TrialsAdded);
    }

    [Fact]
    public void A_configuration_that_still_straddles_with_max_seeds_is_promoted()
    {
        var (state, _, journal) = Study(Asha with { MaxSeeds = 3 });
        var configurations = Configurations(state);
        state = Reach(state, configurations[0], 10, journal, 1.0, 1.0);
        state = Reach(state, configurations[1], 10, journal, 1.0, 1.1);
        state = Reach(state, configurations[2], 10, journal, 0.2, 1.6);
        var added = journal.OfType<TrialsAdded>().Last().Trials;
        state = Apply(state, state.Assign(new RequestWork("s", 1, "n1"), Now), journal);
        var events = new List<IStudyEvent>();
        state = Reach(state, [state.Trials[Assert.Single(added).TrialId]], 10, events, 1.5);
        var judged = events.OfType<RungJudged>().Single(j => j.Configuration == configurations[2][0].ConfigurationId);
        Assert.Equal((RungDecision.Continue, 3), (judged.Decision, judged.Evidence.Seeds));
        Assert.All(configurations[2], t => Assert.Null(state.Trials[t.TrialId].HeldAt));
    }

    [Fact]
    public void Before_its_seeds_fit_a_configuration_is_judged_on_loss_not_margin()
    {
        var (state, _, journal) = Study(Asha);
        var configurations = Configurations(state);
        state = Reach(state, configurations[0], 10, journal, 1.0, 1.0);
        state = Reach(state, configurations[1], 10, journal, 1.0, 1.0);
        // Not fit, negative margins, but the same loss as the cut: not a reason to stop.
        foreach (var seed in configurations[2])
        {
            state = Apply(state, state.Record(At(seed, 10, -3, trainAccuracy: 0.8), Now), journal);
        }
        var judged = journal.OfType<RungJudged>().Last(j => j.Configuration == configurations[2][0].ConfigurationId);
        Assert.Equal(RungBasis.Loss, judged.Evidence.Basis);
        Assert.Equal(RungDecision.Continue, judged.Decision);
    }

    [Fact]
    public void A_seed_that_reaches_a_rung_before_its_siblings_waits_there_and_goes_first_once_promoted()
    {
        // The median rule promotes a configuration alone at a rung.
        var (state, _, journal) = Study(Asha with { Kind = SchedulerKind.Median }, slots: 1);
        var first = state.Running.Single();
        state = Apply(state, state.Record(At(first, 10, 1.0), Now), journal);
        var held = Assert.Single(journal.OfType<TrialHeld>());
        Assert.Equal((first.TrialId, 10L), (held.TrialId, held.Rung));
        state = Apply(state, state.Finish(new TrialFinished("s", first.TrialId, 1, TrialEnd.Cancelled, 15, null, null, "paused", []), Now), journal);
        Assert.DoesNotContain(first.TrialId, state.Pending.Values);
        Assert.Contains("waiting at step 10", state.Trials[first.TrialId].Reason, StringComparison.Ordinal);

        // Its sibling runs next, reaches the rung, and the configuration (alone there) is promoted: the first
        // seed is back in the queue, ahead of the configurations that have not started.
        state = Apply(state, state.Assign(new RequestWork("s", 1, "n1"), Now), journal);
        var sibling = state.Running.Single();
        Assert.Equal(first.ConfigurationId, sibling.ConfigurationId);
        state = Apply(state, state.Record(At(sibling, 10, 1.0), Now), journal);
        Assert.Equal(RungDecision.Continue, journal.OfType<RungJudged>().Single().Decision);
        Assert.Equal(first.TrialId, state.Pending.Values.First());
        Assert.Null(state.Trials[sibling.TrialId].HeldAt);
    }

    [Fact]
    public void Pending_seeds_of_a_stopped_configuration_never_start()
    {
        var (state, _, journal) = Study(Asha, slots: 5);
        var configurations = Configurations(state);
        var waiting = state.Trials[Assert.Single(state.Pending.Values)];
        var last = configurations.Single(c => c[0].ConfigurationId == waiting.ConfigurationId);
        var sibling = last.Single(t => t.TrialId != waiting.TrialId);
        foreach (var configuration in configurations.Where(c => c != last))
        {
            state = Reach(state, configuration, 10, journal, 1.0, 1.0);
        }
        state = Reach(state, [sibling], 10, journal, 0.0);
        Assert.Equal(2, journal.OfType<RungJudged>().Count());
        state = Apply(state, state.Assign(new RequestWork("s", 1, "n1"), Now), journal);
        var events = state.Record(At(state.Trials[waiting.TrialId], 10, 0.01), Now);
        Assert.Contains(events, e => e is RungJudged { Decision: RungDecision.Stop });
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
        Assert.Equal(configurations.SelectMany(c => queue.Where(t => t.ConfigurationId == c)).Select(t => t.TrialId), queue.Select(t => t.TrialId));
        var (fifo, _, _) = Study(SchedulerSettings.Fifo, slots: 0);
        Assert.Equal(trials.Select(t => t.TrialId).Order(), fifo.Pending.Values.Order());
        Assert.Equal(fifo.Trials.Values.OrderBy(t => t.Ordinal).Select(t => t.TrialId), fifo.Pending.Values);
    }

    [Fact]
    public void A_recovered_state_replays_the_judgements_and_never_judges_a_rung_again()
    {
        var (state, _, journal) = Study(Asha);
        var configurations = Configurations(state);
        state = Reach(state, configurations[0], 10, journal, 1.0, 1.0);
        state = Reach(state, configurations[1], 10, journal, 0.1, 0.1);
        var recovered = journal.Aggregate(StudyState.Empty("s"), (s, e) => s.Apply(e));
        Assert.Equal(state.Trials.Values.Select(t => (t.TrialId, t.Status, t.HeldAt)).Order(), recovered.Trials.Values.Select(t => (t.TrialId, t.Status, t.HeldAt)).Order());
        Assert.Equal(
            state.Configurations!.Select(c => (c.Key, c.Value.JudgedThrough, c.Value.Stopped, c.Value.WaitingAt)).Order(),
            recovered.Configurations!.Select(c => (c.Key, c.Value.JudgedThrough, c.Value.Stopped, c.Value.WaitingAt)).Order());
        // A re-sent batch changes nothing; the promoted configuration's next checkpoints before the next rung judge nothing.
        Assert.Empty(recovered.Record(At(configurations[0][0], 10, 1.0), Now));
        var next = recovered.Record(At(recovered.Trials[configurations[0][0].TrialId], 15, 1.0) with { Sequence = 1 }, Now);
        Assert.DoesNotContain(next, e => e is RungJudged or TrialPruned or TrialHeld);
    }

    [Fact]
    public void A_study_whose_last_unfinished_trials_are_pruned_is_finished()
    {
        var (state, _, journal) = Study(Asha with { MinSteps = 30 }, slots: 6);
        var configurations = Configurations(state);
        foreach (var trial in configurations[0].Concat(configurations[1]))
        {
            state = Apply(state, state.Finish(new TrialFinished("s", trial.TrialId, 1, TrialEnd.Completed, 40, 5, TestTrials.At(40), null, [TestTrials.At(30) with { MarginL2 = 1 }, TestTrials.At(40)]), Now), journal);
        }
        state = Reach(state, [configurations[2][0]], 30, journal, -0.5);
        var events = state.Record(At(state.Trials[configurations[2][1].TrialId], 30, -0.5), Now);
        Assert.Contains(events, e => e is TrialPruned);
        Assert.IsType<StudyFinished>(events[^1]);
    }

    [Fact]
    public void A_study_keeps_the_scheduler_it_was_created_with()
    {
        var (state, _, _) = Study(Asha);
        var sweep = TestTrials.Sweep("s");
        var (_, rejection) = state.Start(TestTrials.Start(sweep), Now);
        Assert.Contains("keeps its scheduler", rejection);
    }
}
