using SweepCluster.Cluster.Work;
using SweepCluster.Training;
using SweepCluster.Training.Data;
using SweepCluster.Training.State;
using SweepCluster.Trials;

namespace SweepCluster.Worker;

/// <summary>The real thing: loads the data and trains with the engine.</summary>
/// <param name="dataRoots">Where datasets may be read from: a cluster worker's roots, or anywhere in the user's own run.</param>
public sealed class EngineTrialExecutor(DataRoots dataRoots) : ITrialExecutor
{
    public EngineTrialExecutor()
        : this(DataRoots.Unrestricted)
    {
    }

    public TrialOutcome Execute(TrialSpec spec, byte[]? resumeState, ITrialProgress progress, TimeSpan saveStateInterval, CancellationToken cancellation)
    {
        // A spec reaches a worker as a message: it is checked here again, since a peer need not have used the reader.
        if (InputLimits.Current.Violations(spec).ToList() is { Count: > 0 } violations)
        {
            throw new InvalidOperationException($"refused by this worker's limits: {string.Join("; ", violations)}");
        }
        var resume = resumeState is null ? null : TrainingState.Read(resumeState, "the stored training state");
        // Whatever the engine makes outside its per-step scopes (counted: 4 tensors a trial) is freed here,
        // on this thread, rather than left to the finalizer thread.
        using var trialScope = TorchSharp.torch.NewDisposeScope();
        using var data = DatasetLoader.Load(spec.Dataset, dataRoots);
        return NativeAllocation.Guard(spec.Model, () =>
        {
            // The final state too: the study keeps every result's last parameters, for `studies export --states`.
            using var runner = new TrialRunner(spec, data, resume) { SaveStateInterval = saveStateInterval, SaveFinalState = true };
            return runner.Run(new ProgressObserver(progress), cancellation);
        });
    }

    private sealed class ProgressObserver(ITrialProgress progress) : ITrialObserver
    {
        public void OnCheckpoint(Checkpoint checkpoint) => progress.OnCheckpoint(checkpoint);

        public void OnState(TrainingState state) => progress.OnState(state.Step, state.Safetensors);
    }
}
