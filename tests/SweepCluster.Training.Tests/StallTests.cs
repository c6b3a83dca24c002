using SweepCluster.Training.Data;
using SweepCluster.Trials;

namespace SweepCluster.Training.Tests;

public sealed class StallTests
{
    private static TrialOutcome Train(TrialSpec spec)
    {
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        return runner.Run(new RecordingObserver(), TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(AlgorithmKind.Gd)]
    [InlineData(AlgorithmKind.Adam)]
    public void A_network_at_a_fixed_point_ends_as_stalled_after_a_window_of_checkpoints(AlgorithmKind algorithm)
    {
        // All weights zero: every output and every gradient of a two-layer ReLU network is exactly zero.
        var spec = Specs.Synthetic(algorithm, 0.01, steps: 1000) with { Model = new ModelSpec(2, 16, InitKind.Zeros, 1) };
        var outcome = Train(spec);
        Assert.Equal(TrialEnd.Stalled, outcome.End);
        Assert.Equal(10 * (StallDetector.Window - 1), outcome.Step);
        Assert.Contains("have not changed since step 0", outcome.Reason);
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
    public void A_two_step_cycle_seen_at_odd_checkpoints_ends_as_stalled_with_its_period()
    {
        // One weight, one input, the same point labelled +1 and -1: L(w) = exp(-w) + exp(w). Sign descent
        // with step 0.5 from |w| < 0.5 jumps across the minimum at 0 and back, for ever.
        var path = Path.Combine(Path.GetTempPath(), $"sweepcluster-cycle-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "x,label\n1,1\n1,-1\n");
        try
        {
            var spec = Specs.Synthetic(AlgorithmKind.Sign, 0.5, steps: 1000) with
            {
                Dataset = new CsvDatasetSpec(path, null),
                Model = new ModelSpec(1, 1, InitKind.Normal, 0.1),
                Step = StepForm.Normalized,
                CheckpointEvery = 5,
            };
            var outcome = Train(spec);
            Assert.Equal(TrialEnd.Stalled, outcome.End);
            Assert.Contains("repeated every 2 checkpoints", outcome.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_trial_that_keeps_learning_is_never_stalled()
    {
        Assert.Equal(TrialEnd.Completed, Train(Specs.Synthetic(AlgorithmKind.Coordinate, 0.05, steps: 400)).End);
    }
}
