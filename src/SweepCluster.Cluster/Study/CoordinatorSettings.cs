using SweepCluster.Protocol.Study;

namespace SweepCluster.Cluster.Study;

/// <summary>How a study's coordinator keeps time.</summary>
/// <param name="LeaseTimeout">An assignment no worker confirms for this long goes back to pending. Workers confirm every <see cref="Work.WorkerActor.ConfirmInterval"/>.</param>
/// <param name="PassivateFinishedAfter">A finished study's coordinator stops after this long without a message; the next message recovers it.</param>
/// <param name="StagingTimeout">Pages of a large submission that were never started are dropped after this long.</param>
public sealed record CoordinatorSettings(TimeSpan LeaseTimeout, TimeSpan PassivateFinishedAfter, TimeSpan StagingTimeout)
{
    public static CoordinatorSettings Default { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10));
}
