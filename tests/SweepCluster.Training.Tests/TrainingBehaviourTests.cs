using SweepCluster.Training.Data;
using SweepCluster.Trials;

namespace SweepCluster.Training.Tests;

public sealed class TrainingBehaviourTests
{
    private static (TrialOutcome Outcome, List<Checkpoint> Checkpoints) Train(TrialSpec spec)
    {
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        var observer = new RecordingObserver();
        var outcome = runner.Run(observer, TestContext.Current.CancellationToken);
        return (outcome, observer.Checkpoints);
    }

    [Fact]
    public void Checkpoints_come_at_step_zero_every_interval_and_at_the_last_step()
    {
        var (outcome, checkpoints) = Train(Specs.Synthetic(AlgorithmKind.Gd, 0.01, steps: 35));
        Assert.Equal(TrialEnd.Completed, outcome.End);
        Assert.Equal([0, 10, 20, 30, 35], checkpoints.Select(c => c.Step));
        Assert.All(checkpoints, c => Assert.NotNull(c.TestAccuracy));
    }

    [Fact]
    public void Training_fits_separable_data_and_records_the_first_fit_step()
    {
        var (outcome, checkpoints) = Train(Specs.Synthetic(AlgorithmKind.Gd, 0.01, steps: 200));
        Assert.Equal(1.0, checkpoints[^1].TrainAccuracy);
        Assert.NotNull(outcome.FirstFitStep);
        Assert.True(checkpoints[^1].Loss < checkpoints[0].Loss);
        Assert.All(checkpoints.Where(c => c.Step >= outcome.FirstFitStep), c => Assert.Equal(1.0, c.TrainAccuracy));
    }

    [Fact]
    public void A_trial_stops_when_the_loss_falls_below_the_threshold()
    {
        var spec = Specs.Synthetic(AlgorithmKind.Sign, 0.05, steps: 500) with { Step = StepForm.Normalized, Stop = new StopSpec(1e-3, null) };
        var (outcome, checkpoints) = Train(spec);
        Assert.Equal(TrialEnd.LossThreshold, outcome.End);
        Assert.True(outcome.Step < 500);
        Assert.True(checkpoints[^1].Loss < 1e-3);
        Assert.Equal(outcome.Step, checkpoints[^1].Step);
    }

    [Fact]
    public void A_diverging_trial_ends_as_diverged_with_its_step_not_as_a_crash()
    {
        var spec = Specs.Synthetic(AlgorithmKind.Gd, 1e6, steps: 200) with { Model = new ModelSpec(3, 16, InitKind.Normal, 1.0) };
        var (outcome, _) = Train(spec);
        Assert.Equal(TrialEnd.Diverged, outcome.End);
        Assert.Contains($"step {outcome.Step}", outcome.Reason);
    }

    [Fact]
    public void A_step_too_large_for_float32_ends_as_diverged()
    {
        // The dual sign step is lr * ||g||_1 per coordinate: with a summed loss of many points and large
        // weights it exceeds float32's range at once.
        var spec = Specs.Synthetic(AlgorithmKind.Sign, 1e38, steps: 10);
        var (outcome, _) = Train(spec);
        Assert.Equal(TrialEnd.Diverged, outcome.End);
        Assert.Contains("overflowed float32 at step 0", outcome.Reason);
    }

    [Fact]
    public void A_cancelled_trial_hands_over_a_state_to_resume_from()
    {
        var spec = Specs.Synthetic(AlgorithmKind.Gd, 0.01, steps: 100);
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        using var cancellation = new CancellationTokenSource();
        var observer = new CancelAfter(cancellation, checkpoints: 3);
        var outcome = runner.Run(observer, cancellation.Token);
        Assert.Equal(TrialEnd.Cancelled, outcome.End);
        Assert.Equal(outcome.Step, Assert.Single(observer.States).Step);
    }

    [Theory]
    [InlineData(0.01, 35, 0, "Completed")]
    [InlineData(0.05, 5000, 1e-3, "LossThreshold")]
    [InlineData(1e6, 200, 0, "Diverged")]
    public void With_save_final_state_a_result_hands_over_its_last_parameters_and_a_diverged_trial_none(double lr, int steps, double lossBelow, string end)
    {
        var spec = Specs.Synthetic(AlgorithmKind.Gd, lr, steps) with { Model = new ModelSpec(3, 16, InitKind.Normal, lr > 1 ? 1.0 : 0.1), Stop = new StopSpec(lossBelow, null) };
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data) { SaveFinalState = true };
        var observer = new RecordingObserver();
        var outcome = runner.Run(observer, TestContext.Current.CancellationToken);
        Assert.Equal(end, outcome.End.ToString());
        if (outcome.End == TrialEnd.Diverged)
        {
            Assert.Empty(observer.States);
            return;
        }
        var state = Assert.Single(observer.States);
        Assert.Equal(outcome.Step, state.Step);
        Assert.Equal(observer.Checkpoints[^1].Step, state.Step);
        Assert.Equal(state.Step, State.TrainingState.Read(state.Safetensors, "the final state").Step);
        // Its parameters are those of the last checkpoint: a runner loaded from it has the same norm.
        using var loaded = new TrialRunner(spec, data, state);
        var expected = observer.Checkpoints[^1].NormL2;
        Assert.True(Math.Abs(NormL2(loaded) - expected) <= 1e-6 * expected, $"{NormL2(loaded)} against the last checkpoint's {expected}");
    }

    private static double NormL2(TrialRunner runner)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        return Math.Sqrt(runner.Model.Weights.Sum(w =>
        {
            var wide = w.to_type(TorchSharp.torch.ScalarType.Float64);
            return wide.mul(wide).sum().item<double>();
        }));
    }

    private sealed class CancelAfter(CancellationTokenSource source, int checkpoints) : ITrialObserver
    {
        public List<State.TrainingState> States { get; } = [];

        public void OnCheckpoint(Checkpoint checkpoint)
        {
            if (--checkpoints == 0)
            {
                source.Cancel();
            }
        }

        public void OnState(State.TrainingState state) => States.Add(state);
    }
}
