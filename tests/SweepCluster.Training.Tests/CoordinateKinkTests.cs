using SweepCluster.Training.Data;
using SweepCluster.Training.Model;
using SweepCluster.Training.State;
using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Tests;

/// <summary>
/// Coordinate descent at a ReLU kink: the largest-|g| coordinate whose one-dimensional loss has its
/// minimum at a kink must not jump back and forth across it forever.
/// </summary>
public sealed class CoordinateKinkTests
{
    // 60 Gaussian points in 10 dimensions labelled by a 10-16-1 ReLU teacher; a 10-16-1 student.
    private static TrialSpec Teacher(double lr, int seed, int steps) => new(
        new TeacherDatasetSpec(N: 60, Dim: 10, Width: 16, Seed: 7, Test: 0),
        new ModelSpec(2, 16, InitKind.Normal, 0.1),
        LossKind.Exponential,
        Reduction.Sum,
        AlgorithmKind.Coordinate,
        lr,
        StepForm.Dual,
        LrSchedule.Constant,
        P: null,
        Adam: null,
        BatchSize: null,
        Steps: steps,
        CheckpointEvery: 100,
        new StopSpec(0, null),
        Seed: seed,
        TorchThreads: 1);

    private static List<Checkpoint> Train(TrialSpec spec)
    {
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        var observer = new RecordingObserver();
        runner.Run(observer, TestContext.Current.CancellationToken);
        return observer.Checkpoints;
    }

    [Theory]
    [InlineData(0.002)]
    [InlineData(0.01)]
    [InlineData(0.02)]
    public void On_the_teacher_problem_no_run_freezes_before_it_fits(double lr)
    {
        foreach (var seed in new[] { 0, 1, 2 })
        {
            var checkpoints = Train(Teacher(lr, seed, steps: 3000));
            var tail = checkpoints.TakeLast(10).ToList();
            var frozen = tail.All(c => c.Loss == tail[0].Loss) && tail[^1].TrainAccuracy < 1;
            Assert.False(frozen, $"lr {lr}, seed {seed}: the loss stayed {tail[0].Loss:R} from step {tail[0].Step} at train accuracy {tail[^1].TrainAccuracy:P1}");
        }
    }

    /// <summary>Plain coordinate descent, the rule as it was before kinks were handled, written out here.</summary>
    private static float[] PlainCoordinateDescent(TrialSpec spec)
    {
        using var data = DatasetLoader.Load(spec.Dataset);
        using var model = new HomogeneousMlp(spec.Model, data.Dim, data.Outputs);
        model.Initialize(spec.Model.Init, spec.Model.InitScale, spec.Seed);
        var objective = new MarginObjective(spec.Loss, spec.Reduction);
        for (var t = 0; t < spec.Steps; t++)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var trace = new List<Tensor>();
            var head = objective.Evaluate(model.Forward(data.TrainX, trace), data.TrainLabels, withGradient: true);
            model.Backward(head.OutputGradient!, trace);
            var g = model.Gradient;
            var i = g.abs().argmax().item<long>();
            var gi = g[i].item<float>();
            var delta = spec.Step == StepForm.Dual ? gi : Math.Sign(gi);
            var size = spec.Lr * (spec.Step == StepForm.Dual ? Math.Exp(head.LogLoss) : 1.0);
            using var step = (size * delta).ToScalar();
            model.Theta[i].sub_(step);
        }
        return model.Theta.data<float>().ToArray();
    }

    [Theory]
    [InlineData(StepForm.Dual)]
    [InlineData(StepForm.Normalized)]
    public void A_trajectory_without_a_bounce_at_a_kink_is_bit_identical_to_plain_coordinate_descent(StepForm form)
    {
        // These runs cross kinks all the time; none bounces back at once, so none is held.
        var spec = Specs.Synthetic(AlgorithmKind.Coordinate, 0.05, steps: 400) with { Step = form };
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        Assert.Equal(TrialEnd.Completed, runner.Run(new RecordingObserver(), TestContext.Current.CancellationToken).End);
        Assert.Equal(PlainCoordinateDescent(spec), runner.Model.Theta.data<float>().ToArray());
    }

    [Fact]
    public void Plain_coordinate_descent_freezes_on_the_teacher_problem_so_the_test_above_means_something()
    {
        var spec = Teacher(0.02, seed: 1, steps: 2400);
        var plain = PlainCoordinateDescent(spec);
        var later = PlainCoordinateDescent(spec with { Steps = 2402 });
        Assert.Equal(plain, later);
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        runner.Run(new RecordingObserver(), TestContext.Current.CancellationToken);
        Assert.NotEqual(plain, runner.Model.Theta.data<float>().ToArray());
    }

    [Fact]
    public void A_run_resumed_while_coordinates_are_held_takes_the_same_steps()
    {
        // On this run a coordinate is held at a kink most of the time, so several resume points catch one held.
        var spec = Teacher(0.02, seed: 1, steps: 2400);
        using var data = DatasetLoader.Load(spec.Dataset);
        var straight = new RecordingObserver();
        using (var runner = new TrialRunner(spec, data) { SaveStateEvery = 1 })
        {
            runner.Run(straight, TestContext.Current.CancellationToken);
        }
        foreach (var step in new[] { 2203, 2209, 2214, 2250, 2291 })
        {
            var saved = straight.States.Single(s => s.Step == step);
            var resumed = new RecordingObserver();
            using (var runner = new TrialRunner(spec, data, TrainingState.Read(saved.Safetensors, "saved")))
            {
                runner.Run(resumed, TestContext.Current.CancellationToken);
            }
            Assert.Equal(
                straight.Checkpoints.Where(c => c.Step > step).Select(c => c.WithoutWallTime()),
                resumed.Checkpoints.Select(c => c.WithoutWallTime()));
        }
    }
}
