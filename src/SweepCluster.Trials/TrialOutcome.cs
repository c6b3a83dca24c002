namespace SweepCluster.Trials;

public enum TrialEnd
{
    /// <summary>Ran all its steps.</summary>
    Completed,
    /// <summary>Stopped because the loss fell below stop.loss_below.</summary>
    LossThreshold,
    /// <summary>Stopped at stop.wall_seconds.</summary>
    WallClockLimit,
    /// <summary>The loss became NaN or infinite.</summary>
    Diverged,
    /// <summary>Stopped from outside before it finished; its state can be resumed.</summary>
    Cancelled,
    /// <summary>Its parameters, loss and optimizer state went round a cycle over a window of steps (full batch): it would never move on.</summary>
    Stalled,
}

public static class TrialEnds
{
    /// <summary>Whether a trial that ended so has numbers that are a result: not a diverged or a stalled one.</summary>
    public static bool IsResult(this TrialEnd? end) => end is not (TrialEnd.Diverged or TrialEnd.Stalled);
}

/// <summary>How a trial ended, with its last checkpoint and the first step at which it fit the training set.</summary>
public sealed record TrialOutcome(TrialEnd End, long Step, Checkpoint? Final, long? FirstFitStep, string? Reason);
