using SweepCluster.Trials;

namespace SweepCluster.Cluster.Work;

/// <summary>
/// Runs one trial to its end on the calling thread (a dedicated one, never an actor dispatcher's). The
/// cluster knows a training state only as the bytes it stores and ships; the engine behind this interface
/// is the only code that reads them.
/// </summary>
public interface ITrialExecutor
{
    /// <param name="resumeState">The stored state to continue from (its bytes), or null to start at step 0.</param>
    TrialOutcome Execute(TrialSpec spec, byte[]? resumeState, ITrialProgress progress, TimeSpan saveStateInterval, CancellationToken cancellation);
}

/// <summary>Receives what a running trial produces, on the trial's own thread.</summary>
public interface ITrialProgress
{
    void OnCheckpoint(Checkpoint checkpoint);

    /// <summary>A state the trial can be resumed from (at the save interval and when it is cancelled): its step and its bytes.</summary>
    void OnState(long atStep, byte[] bytes);
}
