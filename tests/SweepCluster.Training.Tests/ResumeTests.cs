using SweepCluster.Training.Data;
using SweepCluster.Training.State;
using SweepCluster.Trials;

namespace SweepCluster.Training.Tests;

public sealed class ResumeTests
{
    public static TheoryData<AlgorithmKind, double, int?> EveryAlgorithm()
    {
        var data = new TheoryData<AlgorithmKind, double, int?>();
        foreach (var (algorithm, lr) in Specs.EveryAlgorithm)
        {
            data.Add(algorithm, lr, null);
        }
        data.Add(AlgorithmKind.Adam, 0.01, 16);
        data.Add(AlgorithmKind.Sign, 1e-4, 16);
        return data;
    }

    private static List<Checkpoint> Run(TrialSpec spec, TrainingState? from, int? saveEvery, out RecordingObserver observer)
    {
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data, from) { SaveStateEvery = saveEvery };
        observer = new RecordingObserver();
        var outcome = runner.Run(observer, TestContext.Current.CancellationToken);
        Assert.Equal(TrialEnd.Completed, outcome.End);
        return observer.Checkpoints.Select(c => c.WithoutWallTime()).ToList();
    }

    [Theory]
    [MemberData(nameof(EveryAlgorithm))]
    public void A_trial_resumed_from_a_saved_state_gives_bit_identical_checkpoints(AlgorithmKind algorithm, double lr, int? batchSize)
    {
        var spec = Specs.Synthetic(algorithm, lr, steps: 50) with { BatchSize = batchSize };
        var straight = Run(spec, null, saveEvery: 20, out var first);
        var saved = first.States.Single(s => s.Step == 20);

        // Through the file format, as a user would resume.
        var path = Path.Combine(Path.GetTempPath(), $"sweepcluster-state-{Guid.NewGuid():N}.safetensors");
        saved.Save(path);
        var loaded = TrainingState.Load(path);
        File.Delete(path);

        var resumed = Run(spec, loaded, saveEvery: null, out _);
        Assert.Equal(straight.Where(c => c.Step > 20), resumed);
        Assert.Equal([30, 40, 50], resumed.Select(c => c.Step));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    public void A_trial_cancelled_at_any_point_resumes_without_losing_or_repeating_a_checkpoint(int checkpointsBeforeCancel)
    {
        // A checkpoint at every step: wherever the cancellation lands, it is next to a checkpoint.
        var spec = Specs.Synthetic(AlgorithmKind.Gd, 0.01, steps: 30) with { CheckpointEvery = 1 };
        var reference = Run(spec, null, null, out _);

        using var data = DatasetLoader.Load(spec.Dataset);
        using var cancellation = new CancellationTokenSource();
        var first = new CancellingObserver(cancellation, checkpointsBeforeCancel);
        using (var runner = new TrialRunner(spec, data))
        {
            Assert.Equal(TrialEnd.Cancelled, runner.Run(first, cancellation.Token).End);
        }
        var resumed = Run(spec, Assert.Single(first.States), null, out _);
        Assert.Equal(reference, first.Checkpoints.Select(c => c.WithoutWallTime()).Concat(resumed));
    }

    private sealed class CancellingObserver(CancellationTokenSource source, int after) : ITrialObserver
    {
        public List<Checkpoint> Checkpoints { get; } = [];

        public List<TrainingState> States { get; } = [];

        public void OnCheckpoint(Checkpoint checkpoint)
        {
            Checkpoints.Add(checkpoint);
            if (Checkpoints.Count == after)
            {
                source.Cancel();
            }
        }

        public void OnState(TrainingState state) => States.Add(state);
    }

    [Fact]
    public void The_same_config_and_seed_give_bit_identical_checkpoints()
    {
        var spec = Specs.Synthetic(AlgorithmKind.Gd, 0.01, steps: 30);
        Assert.Equal(Run(spec, null, null, out _), Run(spec, null, null, out _));
    }

    [Fact]
    public void Another_seed_gives_other_checkpoints()
    {
        var spec = Specs.Synthetic(AlgorithmKind.Gd, 0.01, steps: 10);
        Assert.NotEqual(Run(spec, null, null, out _), Run(spec with { Seed = 2 }, null, null, out _));
    }

    [Fact]
    public void A_state_is_not_resumed_under_another_configuration()
    {
        var spec = Specs.Synthetic(AlgorithmKind.Gd, 0.01, steps: 20);
        Run(spec, null, saveEvery: 10, out var observer);
        using var data = DatasetLoader.Load(spec.Dataset);
        var error = Assert.Throws<InvalidDataException>(() => new TrialRunner(spec with { Lr = 0.02 }, data, observer.States[0]));
        Assert.Contains("another configuration (lr: 0.01 -> 0.02)", error.Message);
    }

    [Fact]
    public void A_resumed_trial_may_run_longer_than_the_original()
    {
        var spec = Specs.Synthetic(AlgorithmKind.Sign, 1e-4, steps: 40);
        var longer = Run(spec, null, saveEvery: 20, out var observer);
        var resumed = Run(spec with { Steps = 60 }, observer.States.Single(s => s.Step == 20), null, out _);
        var reference = Run(spec with { Steps = 60 }, null, null, out _);
        Assert.Equal(reference.Where(c => c.Step > 20), resumed);
        Assert.Equal(reference.Where(c => c.Step < 40), longer.Where(c => c.Step < 40));
    }
}
