using System.Text.Json.Nodes;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Tests;

public sealed class MetricRegistryTests
{
    [Fact]
    public void The_registry_lists_the_checkpoint_fields_in_order_under_their_json_names()
    {
        // Fields added later are written only where they have a value: a checkpoint with all of them has every field.
        var every = TestTrials.At(5) with
        {
            Holds = 1, HeldSteps = 16, MarginOwn = 0.1, SmoothedMarginOwn = 0.05,
            AlignmentL1 = 0.5, AlignmentL2 = 0.6, AlignmentLinf = 0.7, AlignmentOwn = 0.6,
        };
        var json = JsonNode.Parse(TrialJson.Serialize(every))!.AsObject();
        Assert.Equal(json.Select(p => p.Key), MetricRegistry.Names);
        Assert.DoesNotContain("holds", TrialJson.Serialize(TestTrials.At(5)));
        Assert.DoesNotContain(MetricRegistry.Rankable, m => m.Name is "holds" or "held_steps");
        Assert.DoesNotContain(MetricRegistry.Rankable, m => m.Name is "step" or "norm_l1" or "norm_l2" or "norm_linf");
        Assert.Equal(["margin_l1", "margin_l2", "margin_linf"], MetricRegistry.Summarized.Select(m => m.Name));
        Assert.True(MetricRegistry.Get("margin_l2").MeaningfulOnceFit);
        Assert.Equal(Better.Smaller, MetricRegistry.Get("loss").Better);
    }

    [Fact]
    public void A_checkpoint_goes_to_values_and_back_unchanged()
    {
        foreach (var checkpoint in new[] { TestTrials.At(7) with { MarginL2 = 0.25, TestAccuracy = null, WallMs = 3 }, TestTrials.At(7) with { Holds = 3, HeldSteps = 80 } })
        {
            var values = MetricRegistry.Values(checkpoint).Select(v => v is null ? (double?)null : Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(checkpoint, MetricRegistry.Create(values));
        }
    }

    [Theory]
    [InlineData(TrialEnd.Diverged)]
    [InlineData(TrialEnd.Stalled)]
    public void The_summary_shows_each_summarized_metric_and_its_best_skips_diverged_and_stalled_trials(TrialEnd notAResult)
    {
        var sweep = TestTrials.Sweep("s");
        var state = StudyState.Empty("s");
        foreach (var e in state.Start(TestTrials.Start(sweep), DateTimeOffset.UnixEpoch).Events)
        {
            state = state.Apply(e);
        }
        var trials = state.Trials.Values.OrderBy(t => t.Ordinal).Take(2).ToList();
        foreach (var e in state.Assign(new RequestWork("s", 2, "n1"), DateTimeOffset.UnixEpoch))
        {
            state = state.Apply(e);
        }
        var ends = new[] { (trials[0], TrialEnd.Completed, 0.5), (trials[1], notAResult, 9.0) };
        foreach (var (trial, end, margin) in ends)
        {
            var final = TestTrials.At(10) with { MarginL2 = margin };
            foreach (var e in state.Finish(new TrialFinished("s", trial.TrialId, 1, end, 10, null, final, null, [final]), DateTimeOffset.UnixEpoch))
            {
                state = state.Apply(e);
            }
        }
        var progress = StudyProgress.From(state, 1).Algorithms.Single(a => a.Algorithm == trials[0].Algorithm);
        Assert.Equal(MetricRegistry.Summarized.Select(m => m.Name), progress.Means.Keys);
        Assert.Equal(0.5, progress.Best["margin_l2"]);
        Assert.Equal(0.5, progress.Means["margin_l2"]);
        var status = StudyStatus.From(state);
        Assert.Equal(0.5, status.Best.Single(b => b.Algorithm == trials[0].Algorithm).Values["margin_l2"]);
        Assert.Equal(1, status.Completed);
        Assert.Equal(notAResult == TrialEnd.Stalled ? (0, 1) : (1, 0), (status.Diverged, status.Stalled));
        Assert.Equal(notAResult == TrialEnd.Stalled ? "stalled" : "diverged", TrialState.Of(TrialStatus.Completed, notAResult));
        Assert.Equal(status.Stalled, StudyProgress.From(state, 1).Stalled);
    }
}
