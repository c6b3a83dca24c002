using SweepCluster.Protocol;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;
using SweepCluster.Trials;

namespace SweepCluster.Query.Tests;

public sealed class ResultsQueryTests : IDisposable
{
    private readonly StudyEvents _events = new();

    public void Dispose() => _events.Dispose();

    private static (TrialSpec, Checkpoint[]) Trial(AlgorithmKind algorithm, double lr, int seed, double final, double accuracyAtFirst = 1) =>
        (StudyEvents.Spec(algorithm, lr, seed), [StudyEvents.Checkpoint(0, final / 4, accuracyAtFirst), StudyEvents.Checkpoint(10, final / 2), StudyEvents.Checkpoint(20, final)]);

    private async Task<ResultsTable> Results(CheckpointAt? at = null, IReadOnlyList<string>? groupBy = null, IReadOnlyList<Filter>? where = null, string? best = null)
    {
        await _events.ProjectAsync();
        return await new ResultsQuery(_events.Reader).RunAsync(new ResultsRequest("s", at ?? new CheckpointAt.Last(), groupBy, ["margin_l2"], where ?? [], best));
    }

    [Fact]
    public async Task Aggregates_seeds_with_mean_sample_std_min_max_and_count()
    {
        _events.Study("s",
            Trial(AlgorithmKind.Gd, 0.1, 0, 1.0), Trial(AlgorithmKind.Gd, 0.1, 1, 2.0), Trial(AlgorithmKind.Gd, 0.1, 2, 6.0),
            Trial(AlgorithmKind.Sign, 0.1, 0, 4.0));
        var table = await Results();

        Assert.Equal(["algorithm"], table.GroupBy);
        Assert.Equal(["gd", "sign"], table.Groups.Select(g => g.Key[0].Text));
        var gd = table.Groups[0].Metrics["margin_l2"];
        Assert.Equal(3.0, gd.Mean!.Value, 12);
        Assert.Equal(Math.Sqrt(7.0), gd.Std!.Value, 12);
        Assert.Equal((1.0, 6.0, 3), (gd.Min!.Value, gd.Max!.Value, gd.Count));
        Assert.Null(table.Groups[1].Metrics["margin_l2"].Std);
    }

    [Fact]
    public async Task At_a_step_and_at_fit_read_those_checkpoints()
    {
        _events.Study("s", Trial(AlgorithmKind.Gd, 0.1, 0, 8.0, accuracyAtFirst: 0.5), Trial(AlgorithmKind.Gd, 0.1, 1, 4.0));

        Assert.Equal(3.0, (await Results(new CheckpointAt.AtStep(10))).Groups[0].Metrics["margin_l2"].Mean!.Value, 12);
        // Seed 0 fits at step 10 (margin 4), seed 1 at step 0 (margin 1).
        Assert.Equal(2.5, (await Results(new CheckpointAt.FirstFit())).Groups[0].Metrics["margin_l2"].Mean!.Value, 12);
        var between = await Assert.ThrowsAsync<QueryException>(() => Results(new CheckpointAt.AtStep(15)));
        Assert.Contains("no trial of study 's' has a checkpoint at step 15; the nearest steps with checkpoints are step=10 and step=20", between.Message, StringComparison.Ordinal);
        Assert.Contains("nearest steps with checkpoints are step=20", (await Assert.ThrowsAsync<QueryException>(() => Results(new CheckpointAt.AtStep(500)))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_a_loss_each_trial_gives_its_first_checkpoint_at_or_below_it_and_the_trials_that_never_get_there_are_named()
    {
        // Checkpoint losses are 1 / (step + 1): 1 at step 0, 0.0909 at 10, 0.0476 at 20.
        var shortTrial = (StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 2), new[] { StudyEvents.Checkpoint(0, 1.0), StudyEvents.Checkpoint(10, 40.0) });
        _events.Study("s", Trial(AlgorithmKind.Gd, 0.1, 0, 8.0), Trial(AlgorithmKind.Gd, 0.1, 1, 4.0), shortTrial);

        var atTenth = await Results(new CheckpointAt.AtLoss(0.1));
        Assert.Equal((4.0 + 2.0 + 40.0) / 3, atTenth.Groups[0].Metrics["margin_l2"].Mean!.Value, 12);
        Assert.Equal(0, atTenth.Groups[0].NotReached);
        Assert.Empty(atTenth.NotReached!);

        var atTwentieth = await Results(new CheckpointAt.AtLoss(0.05));
        Assert.Equal((8.0 + 4.0) / 2, atTwentieth.Groups[0].Metrics["margin_l2"].Mean!.Value, 12);
        Assert.Equal(1, atTwentieth.Groups[0].NotReached);
        Assert.Equal([TrialJson.StableId(shortTrial.Item1)], atTwentieth.NotReached!);
        // Other points name nothing: the count only means something at a loss.
        Assert.Null((await Results()).NotReached);
    }

    [Theory]
    [InlineData("loss=1e-3", 1e-3)]
    [InlineData("loss=0.5", 0.5)]
    public void A_loss_point_parses(string text, double loss) => Assert.Equal(new CheckpointAt.AtLoss(loss), CheckpointAt.Parse(text));

    [Theory]
    [InlineData("loss=0")]
    [InlineData("loss=-1")]
    [InlineData("loss=abc")]
    [InlineData("loss=")]
    public void A_loss_that_is_not_positive_is_refused(string text) => Assert.Null(CheckpointAt.Parse(text));

    [Fact]
    public async Task Where_filters_group_by_chooses_and_best_picks_the_largest_mean()
    {
        _events.Study("s",
            Trial(AlgorithmKind.Gd, 0.1, 0, 1.0), Trial(AlgorithmKind.Gd, 0.2, 0, 5.0),
            Trial(AlgorithmKind.Sign, 0.1, 0, 3.0), Trial(AlgorithmKind.Sign, 0.2, 0, 2.0));

        var filtered = await Results(where: [new Filter("lr", "0.2")]);
        Assert.Equal([5.0, 2.0], filtered.Groups.Select(g => g.Metrics["margin_l2"].Mean!.Value));
        var byLr = await Results(groupBy: ["lr"]);
        Assert.Equal([2.0, 3.5], byLr.Groups.Select(g => g.Metrics["margin_l2"].Mean!.Value));
        var best = Assert.Single((await Results(best: "margin_l2")).Groups);
        Assert.Equal(["gd", "0.2"], best.Key.Select(k => k.Text));
    }

    [Fact]
    public async Task Where_takes_ranges_not_equal_and_text_in_any_case()
    {
        _events.Study("s",
            Trial(AlgorithmKind.Gd, 0.1, 0, 1.0), Trial(AlgorithmKind.Gd, 0.2, 0, 5.0),
            Trial(AlgorithmKind.Sign, 0.1, 0, 3.0), Trial(AlgorithmKind.Sign, 0.2, 0, 2.0));

        Assert.Equal([1.0, 3.0], (await Results(where: [Filter.Parse("lr<0.15")])).Groups.Select(g => g.Metrics["margin_l2"].Mean!.Value));
        Assert.Equal([5.0, 2.0], (await Results(where: [Filter.Parse("lr >= 0.2")])).Groups.Select(g => g.Metrics["margin_l2"].Mean!.Value));
        Assert.Equal([1.0, 5.0], (await Results(where: [Filter.Parse("algorithm=GD")])).Groups.Select(g => g.Metrics["margin_l2"].Mean!.Value));
        Assert.Equal([3.0, 2.0], (await Results(where: [Filter.Parse("algorithm!=gd")])).Groups.Select(g => g.Metrics["margin_l2"].Mean!.Value));
        var empty = await Assert.ThrowsAsync<QueryException>(() => Results(where: [Filter.Parse("lr>1")]));
        Assert.Contains("has lr>1; lr takes: 0.1, 0.2", empty.Message, StringComparison.Ordinal);
        Assert.Contains("a range needs a number", Assert.Throws<QueryException>(() => Filter.Parse("algorithm<gd")).Message, StringComparison.Ordinal);
        Assert.Contains("expected KEY=VALUE", Assert.Throws<QueryException>(() => Filter.Parse("lr!0.1")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_number_copied_from_a_table_with_four_digits_matches_the_value_it_shows()
    {
        var lr = new ParameterValue("0.015092186", 0.015092186);
        Assert.True(Filter.Parse("lr=0.01509").Matches(lr));
        Assert.True(Filter.Parse("lr=1.509E-02").Matches(lr));
        Assert.False(Filter.Parse("lr=0.0151").Matches(lr));
        Assert.False(Filter.Parse("lr=0.01").Matches(new ParameterValue("0.0099", 0.0099)));
        Assert.True(Filter.Parse("lr!=0.01508").Matches(lr));
    }

    [Theory]
    [InlineData(TrialEnd.Diverged)]
    [InlineData(TrialEnd.Stalled)]
    public async Task A_diverged_or_stalled_trial_counts_in_its_group_but_not_in_its_metrics(TrialEnd end)
    {
        _events.Study("s", Trial(AlgorithmKind.Gd, 0.1, 0, 1.0));
        var spec = StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 1);
        var id = TrialJson.StableId(spec);
        var at = DateTimeOffset.UnixEpoch;
        _events.Add("s", new TrialsAdded([new TrialDefinition(id, TrialJson.Serialize(spec))], at))
            .Add("s", new TrialAssigned(id, 1, "n", null, at))
            .Add("s", new CheckpointsRecorded(id, 1, 0, [StudyEvents.Checkpoint(0, 1e9)]))
            .Add("s", new TrialCompleted(id, 1, end, 3, null, null, "why it ended", at));

        var gd = Assert.Single((await Results()).Groups);
        Assert.Equal(2, gd.Trials);
        Assert.Equal((1.0, 1), (gd.Metrics["margin_l2"].Mean!.Value, gd.Metrics["margin_l2"].Count));
        Assert.Equal(end == TrialEnd.Diverged ? (1, 0) : (0, 1), (gd.Diverged, gd.Stalled));
    }

    [Fact]
    public async Task Unknown_study_key_or_metric_is_a_clear_error()
    {
        _events.Study("s", Trial(AlgorithmKind.Gd, 0.1, 0, 1.0));
        await _events.ProjectAsync();
        var query = new ResultsQuery(_events.Reader);

        var study = await Assert.ThrowsAsync<QueryException>(() => query.RunAsync(new ResultsRequest("nope", new CheckpointAt.Last(), null, ["margin_l2"], [], null)));
        Assert.Contains("no study 'nope'", study.Message);
        var key = await Assert.ThrowsAsync<QueryException>(() => query.RunAsync(new ResultsRequest("s", new CheckpointAt.Last(), ["widht"], ["margin_l2"], [], null)));
        Assert.Contains("unknown key 'widht'", key.Message);
        var metric = await Assert.ThrowsAsync<QueryException>(() => query.RunAsync(new ResultsRequest("s", new CheckpointAt.Last(), null, ["margin"], [], null)));
        Assert.Contains("unknown metric 'margin'", metric.Message);
    }
}
