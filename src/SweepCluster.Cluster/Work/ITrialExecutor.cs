using SweepCluster.Training;
using SweepCluster.Training.Data;
using SweepCluster.Training.State;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Work;

/// <summary>Runs one trial to its end on the calling thread (a dedicated one, never an actor dispatcher's).</summary>
public interface ITrialExecutor
{
    TrialOutcome Execute(TrialSpec spec, TrainingState? resumeFrom, ITrialObserver observer, TimeSpan saveStateInterval, CancellationToken cancellation);
}

/// <summary>The real thing: loads the data and trains with the engine.</summary>
/// <param name="dataRoots">Where datasets may be read from: a cluster worker's roots, or anywhere in the user's own run.</param>
public sealed class EngineTrialExecutor(DataRoots dataRoots) : ITrialExecutor
{
    public EngineTrialExecutor()
        : this(DataRoots.Unrestricted)
    {
    }

    public TrialOutcome Execute(TrialSpec spec, TrainingState? resumeFrom, ITrialObserver observer, TimeSpan saveStateInterval, CancellationToken cancellation)
    {
        // Whatever the engine makes outside its per-step scopes (counted: 4 tensors a trial) is freed here,
        // on this thread, rather than left to the finalizer thread.
        // A spec reaches a worker as a message: it is checked here again, since a peer need not have used the reader.
        if (InputLimits.Current.Violations(spec).ToList() is { Count: > 0 } violations)
        {
            throw new InvalidOperationException($"refused by this worker's limits: {string.Join("; ", violations)}");
        }
        using var trialScope = TorchSharp.torch.NewDisposeScope();
        using var data = DatasetLoader.Load(spec.Dataset, dataRoots);
        return NativeAllocation.Guard(spec.Model, () =>
        {
            using var runner = new TrialRunner(spec, data, resumeFrom) { SaveStateInterval = saveStateInterval };
            return runner.Run(observer, cancellation);
        });
    }
}
