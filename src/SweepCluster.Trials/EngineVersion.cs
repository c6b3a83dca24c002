namespace SweepCluster.Trials;

/// <summary>
/// Which training rules a journal's trials were written under. Journals record the engine version with
/// every trial they add and every attempt they assign; journals written before that carry none and are
/// read by the time of each event, against the dates the rules changed.
/// </summary>
public static class EngineVersion
{
    /// <summary>Greedy coordinate descent as written; stall windows counted in checkpoints.</summary>
    public const int PlainCoordinate = 1;

    /// <summary>Coordinate descent held a coordinate at a ReLU kink, always, with nothing in its spec saying so.</summary>
    public const int ImplicitKinkHold = 2;

    /// <summary>
    /// The hold is a key (<c>kink_hold</c>) written into every coordinate trial's spec and id; stalls are
    /// judged over a window of steps, on the whole state of the rule. Written into journals from this version on.
    /// </summary>
    public const int ExplicitKinkHold = 3;

    public const int Current = ExplicitKinkHold;

    /// <summary>The commit that made the kink hold part of coordinate descent (2026-12-02 11:00:09 UTC).</summary>
    public static readonly DateTimeOffset ImplicitKinkHoldSince = new(2026, 12, 2, 11, 0, 9, TimeSpan.Zero);

    /// <summary>The version of an event: the one it records, or for an event that records none, the one in use at its time.</summary>
    public static int Of(int? recorded, DateTimeOffset at) =>
        recorded ?? (at < ImplicitKinkHoldSince ? PlainCoordinate : ImplicitKinkHold);

    /// <summary>Whether coordinate trials added under this version ran with the hold, for versions whose specs did not say.</summary>
    public static bool? ImpliedKinkHold(int version) => version switch
    {
        PlainCoordinate => false,
        ImplicitKinkHold => true,
        _ => null,
    };
}
