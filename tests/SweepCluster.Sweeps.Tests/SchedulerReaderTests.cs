using SweepCluster.Protocol.Scheduling;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Sweeps.Tests;

public sealed class SchedulerReaderTests
{
    private const string Base = """
        study: s
        dataset: {kind: synthetic, n: 40, dim: 5, margin: 0.2, seed: 0}
        model: {depth: 2, width: 16}
        algorithm: gd
        lr: 0.01
        steps: 1000
        checkpoint_every: 10
        grid:
          seed: [0, 1, 2]

        """;

    private static IReadOnlyList<ConfigError> Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => SweepReader.Parse(yaml, "sweep.yaml")).Errors;

    [Fact]
    public void A_sweep_without_a_scheduler_runs_every_trial_to_its_end()
    {
        Assert.Null(SweepReader.Parse(Base, "sweep.yaml").Scheduler);
        Assert.Null(SweepReader.Parse(Base + "scheduler: {kind: fifo}", "sweep.yaml").Scheduler);
    }

    [Fact]
    public void Asha_takes_its_defaults_and_the_metric_direction_from_the_registry()
    {
        var asha = SweepReader.Parse(Base + "scheduler: {kind: asha, min_steps: 50}", "sweep.yaml").Scheduler!;
        Assert.Equal(new SchedulerSettings(SchedulerKind.Asha, "margin_l2", Goal.Max, 50, 3, 50, 0.95), asha);
        var byLoss = SweepReader.Parse(Base + "scheduler: {kind: median, metric: loss, min_steps: 50, every: 100, unit: trial}", "sweep.yaml").Scheduler!;
        Assert.Equal(Goal.Min, byLoss.Mode);
        Assert.Equal(ScheduleUnit.Trial, byLoss.Unit);
        Assert.Equal([50, 150, 250, 350, 450, 550, 650, 750, 850, 950], byLoss.Rungs(1000));
    }

    [Fact]
    public void Each_mistake_is_reported_at_its_line_and_column_with_its_key()
    {
        var errors = Errors(Base + "scheduler: {kind: asha, metric: norm_l2, min_steps: 0, reduction_factor: 1, confidence: 1.5, rungs: 3}");
        Assert.Equal(
            ["scheduler.confidence", "scheduler.metric", "scheduler.min_steps", "scheduler.reduction_factor", "scheduler.rungs"],
            errors.Select(e => e.Key).Order());
        Assert.All(errors, e => Assert.Equal(10, e.Line));
        Assert.Contains(errors, e => e.Key == "scheduler.metric" && e.Message.Contains("margin_l2", StringComparison.Ordinal) && e.Column == 33);
    }

    [Fact]
    public void A_scheduler_that_would_never_judge_is_refused()
    {
        var error = Assert.Single(Errors(Base + "scheduler: {kind: asha, min_steps: 1000}"));
        Assert.Equal("scheduler.min_steps", error.Key);
        Assert.Contains("no rung", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_seeds_must_leave_room_for_a_seed_and_belongs_to_configurations()
    {
        Assert.Equal(5, SweepReader.Parse(Base + "scheduler: {kind: asha, min_steps: 50, max_seeds: 5}", "sweep.yaml").Scheduler!.MaxSeeds);
        var tooFew = Assert.Single(Errors(Base + "scheduler: {kind: asha, min_steps: 50, max_seeds: 3}"));
        Assert.Equal(("scheduler.max_seeds", 10, 51), (tooFew.Key, tooFew.Line, tooFew.Column));
        Assert.Contains("more than the 3 seeds", tooFew.Message, StringComparison.Ordinal);
        var perTrial = Assert.Single(Errors(Base + "scheduler: {kind: asha, min_steps: 50, max_seeds: 6, unit: trial}"));
        Assert.Equal("scheduler.max_seeds", perTrial.Key);
        Assert.Contains("unit: configuration", perTrial.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_kind_is_the_only_error_reported()
    {
        var error = Assert.Single(Errors(Base + "scheduler: {kind: hyperband, min_steps: 10}"));
        Assert.Equal("scheduler.kind", error.Key);
        Assert.Contains("fifo, asha, median", error.Message, StringComparison.Ordinal);
    }
}
