using System.IO.Hashing;
using SweepCluster.Training.Data;
using SweepCluster.Training.Optimization;
using SweepCluster.Training.State;
using SweepCluster.Trials;
using static TorchSharp.torch;

namespace SweepCluster.Training.Tests;

public sealed class StallTests
{
    private static TrialOutcome Train(TrialSpec spec, RecordingObserver? observer = null, TrainingState? resumeFrom = null, int? saveEvery = null)
    {
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data, resumeFrom) { SaveStateEvery = saveEvery };
        return runner.Run(observer ?? new RecordingObserver(), TestContext.Current.CancellationToken);
    }

    /// <summary>All weights zero: every output and every gradient of a two-layer ReLU network is exactly zero.</summary>
    private static TrialSpec FixedPoint(AlgorithmKind algorithm) =>
        Specs.Synthetic(algorithm, 0.01, steps: 1000) with { Model = new ModelSpec(2, 16, InitKind.Zeros, 1) };

    /// <summary>
    /// One weight, one input, the same point labelled +1 and -1: L(w) = exp(-w) + exp(w). Sign descent with
    /// step 0.5 from |w| &lt; 0.5 jumps across the minimum at 0 and back, for ever: a cycle of two steps.
    /// </summary>
    private static TrialSpec TwoStepCycle(string path) =>
        Specs.Synthetic(AlgorithmKind.Sign, 0.5, steps: 1000) with
        {
            Dataset = new CsvDatasetSpec(path, null),
            Model = new ModelSpec(1, 1, InitKind.Normal, 0.1),
            Step = StepForm.Normalized,
        };

    private static string CycleData()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sweepcluster-cycle-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "x,label\n1,1\n1,-1\n");
        return path;
    }

    [Theory]
    [InlineData(AlgorithmKind.Gd)]
    [InlineData(AlgorithmKind.Adam)]
    public void A_network_at_a_fixed_point_ends_as_stalled_after_a_window_of_steps_whatever_the_checkpoint_interval(AlgorithmKind algorithm)
    {
        foreach (var every in new[] { 1, 10, 100 })
        {
            var observer = new RecordingObserver();
            var outcome = Train(FixedPoint(algorithm) with { CheckpointEvery = every }, observer);
            Assert.Equal(TrialEnd.Stalled, outcome.End);
            Assert.Equal(StallDetector.WindowSteps - 1, outcome.Step);
            Assert.Contains("have not changed since step 0", outcome.Reason);
            // The step it stalled at has a checkpoint, like every last step.
            Assert.Equal(outcome.Step, observer.Checkpoints[^1].Step);
        }
    }

    [Fact]
    public void A_cycle_of_two_steps_stalls_at_the_same_step_for_checkpoints_every_1_10_and_100_steps()
    {
        var path = CycleData();
        try
        {
            var outcomes = new[] { 1, 10, 100 }.Select(every => Train(TwoStepCycle(path) with { CheckpointEvery = every })).ToList();
            Assert.All(outcomes, o => Assert.Equal(TrialEnd.Stalled, o.End));
            Assert.All(outcomes, o => Assert.Contains("repeated every 2 steps", o.Reason));
            Assert.Single(outcomes.Select(o => o.Step).Distinct());
            Assert.Single(outcomes.Select(o => o.Reason).Distinct());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_trial_resumed_inside_the_window_stalls_where_the_uninterrupted_one_does()
    {
        var path = CycleData();
        try
        {
            var spec = TwoStepCycle(path) with { CheckpointEvery = 7 };
            var straight = new RecordingObserver();
            var uninterrupted = Train(spec, straight, saveEvery: 1);
            Assert.Equal(TrialEnd.Stalled, uninterrupted.End);
            foreach (var step in new[] { uninterrupted.Step - 40, uninterrupted.Step - 1 })
            {
                var saved = straight.States.Single(s => s.Step == step);
                var resumed = new RecordingObserver();
                var outcome = Train(spec, resumed, TrainingState.Read(saved.Safetensors, "saved"));
                Assert.Equal((uninterrupted.End, uninterrupted.Step, uninterrupted.Reason), (outcome.End, outcome.Step, outcome.Reason));
                Assert.Equal(
                    straight.Checkpoints.Where(c => c.Step > step).Select(c => c.WithoutWallTime()),
                    resumed.Checkpoints.Select(c => c.WithoutWallTime()));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Mini_batch_training_is_never_judged_stalled()
    {
        // The same fixed point, trained on batches: its next step would depend on the batch, so it is not judged.
        var outcome = Train(FixedPoint(AlgorithmKind.Gd) with { BatchSize = 10, Steps = 200 });
        Assert.Equal(TrialEnd.Completed, outcome.End);
    }

    [Fact]
    public void Coordinate_descent_that_stalls_names_the_coordinate_it_moved()
    {
        var spec = Specs.Synthetic(AlgorithmKind.Coordinate, 0.05, steps: 1000) with { Model = new ModelSpec(2, 16, InitKind.Zeros, 1) };
        var outcome = Train(spec);
        Assert.Equal(TrialEnd.Stalled, outcome.End);
        Assert.Contains("the last step moved coordinate 0 (layer 1, row 0, column 0)", outcome.Reason);
    }

    [Fact]
    public void A_trial_that_keeps_learning_is_never_stalled()
    {
        Assert.Equal(TrialEnd.Completed, Train(Specs.Synthetic(AlgorithmKind.Coordinate, 0.05, steps: 400)).End);
    }

    /// <summary>A rule whose own state changes every step while the parameters stay put.</summary>
    private sealed class CountingRule : UpdateRule
    {
        public bool Counting { get; init; }

        public override void Apply(Tensor theta, Tensor scaledGradient, double logLoss, long stepIndex)
        {
        }

        public override void AddToFingerprint(XxHash128 hash, long stepIndex) => hash.Append(BitConverter.GetBytes(Counting ? stepIndex : 0));
    }

    [Fact]
    public void The_fingerprint_covers_the_rule_state_not_only_the_parameters()
    {
        using var theta = zeros(10);
        var still = new StallDetector();
        var moving = new StallDetector();
        using var stillRule = new CountingRule();
        using var movingRule = new CountingRule { Counting = true };
        Stall? stallStill = null, stallMoving = null;
        for (var t = 0; t < 3 * StallDetector.WindowSteps; t++)
        {
            stallStill ??= still.Observe(t, theta, 0.5, stillRule);
            stallMoving ??= moving.Observe(t, theta, 0.5, movingRule);
        }
        Assert.NotNull(stallStill);
        Assert.Null(stallMoving);
    }
}
