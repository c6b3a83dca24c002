using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Cluster.Work;

namespace SweepCluster.Cluster.Hosting;

/// <summary>Everything one cluster node needs to start.</summary>
/// <param name="Roles">coordinator, worker or both (the embedded run).</param>
/// <param name="Host">The address to bind, 127.0.0.1 unless a public host is asked for explicitly.</param>
/// <param name="Port">0 picks a free port (a one-process run).</param>
/// <param name="PublicHost">The address other nodes use to reach this one, when it differs from <paramref name="Host"/>.</param>
/// <param name="SeedNodes">akka.tcp://sweepcluster@host:port addresses; none means this node forms a cluster by itself.</param>
/// <param name="Store">Where studies are persisted; coordinators need it, workers and clients do not.</param>
public sealed record NodeOptions(
    IReadOnlyList<string> Roles,
    string Host,
    int Port,
    string? PublicHost,
    IReadOnlyList<string> SeedNodes,
    int Slots,
    StoreOptions? Store,
    TimeSpan SaveStateInterval,
    ITrialExecutor Executor)
{
    public const string SystemName = "sweepcluster";

    /// <summary>How study coordinators keep time (leases, passivation); tests shorten it.</summary>
    public CoordinatorSettings Coordinator { get; init; } = CoordinatorSettings.Default;

    /// <summary>Where coordinators keep training states; the store's own table unless a test injects faults.</summary>
    public ITrainingStateStore? StateStore { get; init; }

    public bool IsCoordinator => Roles.Contains(ClusterRoles.Coordinator);

    public bool IsWorker => Roles.Contains(ClusterRoles.Worker);
}
