using SweepCluster.Training.State;
using SweepCluster.Trials;

namespace SweepCluster.Training;

/// <summary>Receives what a running trial produces, on the trial's own thread.</summary>
public interface ITrialObserver
{
    void OnCheckpoint(Checkpoint checkpoint);

    /// <summary>A state the trial can be resumed from, at the save interval and when it is cancelled.</summary>
    void OnState(TrainingState state);
}
