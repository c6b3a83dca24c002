using SweepCluster.Training.Data;
using SweepCluster.Training.Model;
using SweepCluster.Training.State;
using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Tests;

/// <summary>
/// Coordinate descent is greedy coordinate descent as written (the largest-|g| coordinate moves), bit for
/// bit, and ends stalled where it freezes. Only with kink_hold does a coordinate whose one-dimensional loss
/// has its minimum at a ReLU kink get held there instead of jumping back and forth across it.
/// </summary>
public sealed class CoordinateKinkTests
{
    // 60 Gaussian points in 10 dimensions labelled by a 10-16-1 ReLU teacher; a 10-16-1 student.
    private static TrialSpec Teacher(double lr, int seed, int steps, bool kinkHold = true) => new(
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
        TorchThreads: 1,
        KinkHold: kinkHold);

    private static List<Checkpoint> Train(TrialSpec spec) => Run(spec).Observer.Checkpoints;

    private static (TrialOutcome Outcome, RecordingObserver Observer, float[] Theta) Run(TrialSpec spec, TrainingState? from = null, int? saveEvery = null)
    {
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data, from) { SaveStateEvery = saveEvery };
        var observer = new RecordingObserver();
        var outcome = runner.Run(observer, TestContext.Current.CancellationToken);
        return (outcome, observer, runner.Model.Theta.data<float>().ToArray());
    }

    [Theory]
    [InlineData(0.02, 1, StepForm.Dual)]
    [InlineData(0.01, 0, StepForm.Dual)]
    [InlineData(0.002, 2, StepForm.Dual)]
    [InlineData(0.02, 1, StepForm.Normalized)]
    public void Coordinate_is_greedy_coordinate_descent_bit_for_bit_over_thousands_of_steps(double lr, int seed, StepForm form)
    {
        var spec = Teacher(lr, seed, steps: 3000, kinkHold: false) with { Step = form };
        var (outcome, observer, theta) = Run(spec);
        // Where plain coordinate descent freezes, the trial ends stalled at that step: a result.
        Assert.True(outcome.End is TrialEnd.Completed or TrialEnd.Stalled, $"{outcome.End}: {outcome.Reason}");
        Assert.Equal(PlainCoordinateDescent(spec with { Steps = (int)outcome.Step }), theta);
        Assert.All(observer.Checkpoints, c => Assert.Null(c.Holds));
        Assert.All(observer.Checkpoints, c => Assert.Null(c.HeldSteps));
    }

    [Fact]
    public void Plain_coordinate_descent_ends_stalled_where_it_freezes_on_the_teacher_problem()
    {
        var spec = Teacher(0.02, seed: 1, steps: 3000, kinkHold: false);
        var (outcome, _, theta) = Run(spec);
        Assert.Equal(TrialEnd.Stalled, outcome.End);
        Assert.Contains("the last step moved", outcome.Reason);
        // It is frozen: the reference, run on past the stall, is still where the trial stopped.
        Assert.Equal(theta, PlainCoordinateDescent(spec with { Steps = (int)outcome.Step + 50 }));
    }

    [Fact]
    public void A_held_run_reports_how_often_and_how_long_it_held_at_each_checkpoint()
    {
        var checkpoints = Train(Teacher(0.02, seed: 1, steps: 2400));
        Assert.All(checkpoints, c => Assert.NotNull(c.Holds));
        Assert.Equal(0, checkpoints[0].Holds);
        Assert.True(checkpoints[^1].Holds > 0, "the hold never acted on a run known to bounce at a kink");
        Assert.True(checkpoints[^1].HeldSteps >= checkpoints[^1].Holds);
        // Both only grow.
        Assert.All(checkpoints.Zip(checkpoints.Skip(1)), p => Assert.True(p.Second.Holds >= p.First.Holds && p.Second.HeldSteps >= p.First.HeldSteps));
    }

    [Fact]
    public void A_state_saved_under_one_rule_does_not_resume_under_the_other()
    {
        var held = Teacher(0.002, seed: 2, steps: 300);
        var plain = held with { KinkHold = false };
        var heldState = Run(held, saveEvery: 100).Observer.States.Single(s => s.Step == 200);
        var plainState = Run(plain, saveEvery: 100).Observer.States.Single(s => s.Step == 200);
        var asPlain = Assert.Throws<InvalidDataException>(() => Run(plain, heldState));
        Assert.Contains("kink_hold: true -> false", asPlain.Message);
        var asHeld = Assert.Throws<InvalidDataException>(() => Run(held, plainState));
        Assert.Contains("kink_hold: false -> true", asHeld.Message);
    }

    [Fact]
    public void A_state_saved_before_kink_hold_was_a_key_resumes_only_under_the_rule_that_saved_it()
    {
        // States journaled while the hold was implicit carry a spec without kink_hold, and the hold's tensors;
        // states from before the hold carry neither.
        var held = Teacher(0.002, seed: 2, steps: 300);
        var plain = held with { KinkHold = false };
        var legacyHeld = WithoutKinkHold(Run(held, saveEvery: 100).Observer.States.Single(s => s.Step == 200));
        var legacyPlain = WithoutKinkHold(Run(plain, saveEvery: 100).Observer.States.Single(s => s.Step == 200));
        Assert.Equal(Run(held).Theta, Run(held, legacyHeld).Theta);
        Assert.Equal(Run(plain).Theta, Run(plain, legacyPlain).Theta);
        Assert.Contains("saved by coordinate descent with the kink hold", Assert.Throws<InvalidDataException>(() => Run(plain, legacyHeld)).Message);
        Assert.Contains("saved by plain coordinate descent", Assert.Throws<InvalidDataException>(() => Run(held, legacyPlain)).Message);
    }

    [Fact]
    public void The_engine_refuses_a_coordinate_spec_that_does_not_say_which_rule()
    {
        var error = Assert.Throws<InvalidDataException>(() => Run(Teacher(0.02, seed: 1, steps: 10) with { KinkHold = null }));
        Assert.Contains("must say kink_hold", error.Message);
    }

    /// <summary>The same state with kink_hold taken out of its spec, as states were saved before the key existed.</summary>
    private static TrainingState WithoutKinkHold(TrainingState state)
    {
        using var scope = NewDisposeScope();
        var tensors = TorchSharp.PyBridge.Safetensors.LoadStateDict(new MemoryStream(state.Safetensors));
        var spec = System.Text.Json.Nodes.JsonNode.Parse(state.SpecJson)!.AsObject();
        Assert.True(spec.Remove("kink_hold"));
        tensors[TrainingState.SpecKey] = tensor(System.Text.Encoding.UTF8.GetBytes(spec.ToJsonString()));
        using var buffer = new MemoryStream();
        TorchSharp.PyBridge.Safetensors.SaveStateDict(buffer, tensors, leaveOpen: true);
        return TrainingState.Read(buffer.ToArray(), "legacy");
    }

    [Theory]
    [InlineData(0.002)]
    [InlineData(0.01)]
    [InlineData(0.02)]
    public void With_the_hold_no_run_on_the_teacher_problem_freezes_before_it_fits(double lr)
    {
        foreach (var seed in new[] { 0, 1, 2 })
        {
            var checkpoints = Train(Teacher(lr, seed, steps: 3000));
            var tail = checkpoints.TakeLast(10).ToList();
            var frozen = tail.All(c => c.Loss == tail[0].Loss) && tail[^1].TrainAccuracy < 1;
            Assert.False(frozen, $"lr {lr}, seed {seed}: the loss stayed {tail[0].Loss:R} from step {tail[0].Step} at train accuracy {tail[^1].TrainAccuracy:P1}");
        }
    }

    /// <summary>Greedy coordinate descent as the paper writes it, written out here apart from the engine's rules.</summary>
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
    public void A_held_trajectory_without_a_bounce_at_a_kink_is_bit_identical_to_plain_coordinate_descent(StepForm form)
    {
        // These runs cross kinks all the time; none bounces back at once, so none is held.
        var spec = Specs.Synthetic(AlgorithmKind.Coordinate, 0.05, steps: 400) with { Step = form, KinkHold = true };
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        Assert.Equal(TrialEnd.Completed, runner.Run(new RecordingObserver(), TestContext.Current.CancellationToken).End);
        Assert.Equal(PlainCoordinateDescent(spec), runner.Model.Theta.data<float>().ToArray());
    }

    [Fact]
    public void Plain_coordinate_descent_freezes_on_the_teacher_problem_so_the_hold_test_means_something()
    {
        var spec = Teacher(0.02, seed: 1, steps: 2400);
        var plain = PlainCoordinateDescent(spec);
        Assert.Equal(plain, PlainCoordinateDescent(spec with { Steps = 2402 }));
        Assert.NotEqual(plain, Run(spec).Theta);
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
