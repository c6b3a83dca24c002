namespace SweepCluster.Cli;

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    /// <summary>Bad input: a configuration or data file that cannot be used. Nothing was written.</summary>
    public const int InvalidInput = 2;
    /// <summary>The store (SQLite file or PostgreSQL) cannot be used, or a disk has no room or cannot be written.</summary>
    public const int StoreUnavailable = 4;
    /// <summary>No cluster answered at the address given: the same code as an unreachable store, since both mean "nothing to talk to".</summary>
    public const int ClusterUnreachable = 4;
    /// <summary>The training ran but diverged (NaN or infinite loss).</summary>
    public const int Diverged = 3;
    /// <summary>Stopped by Ctrl+C (128 + SIGINT), after saving what could be resumed.</summary>
    public const int Interrupted = 130;
}
