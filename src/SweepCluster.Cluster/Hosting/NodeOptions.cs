using SweepCluster.Cluster.Security;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Cluster.Work;

namespace SweepCluster.Cluster.Hosting;

/// <summary>Everything one cluster node needs to start.</summary>
/// <param name="Roles">coordinator, worker or both (the embedded run).</param>
/// <param name="Host">The address to bind, 127.0.0.1 unless a public host is asked for explicitly.</param>
/// <param name="Port">0 picks a free port (a one-process run).</param>
/// <param name="PublicHost">The address other nodes use to reach this one, when it differs from <paramref name="Host"/>.</param>
/// <param name="SeedNodes">host:port of seed nodes (a full akka address is accepted too); none means this node forms a cluster by itself.</param>
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

    /// <summary>
    /// The node's certificate and the cluster's authority: with them every connection is mutual TLS and a
    /// peer without a certificate from the same authority cannot connect. Null only on a node that listens
    /// on loopback alone, or that was told explicitly to run insecure.
    /// </summary>
    public ClusterCredentials? Credentials { get; init; }

    /// <summary>The seeds as actor system addresses, in the scheme of this node's transport (TLS or not).</summary>
    public IReadOnlyList<string> SeedAddresses =>
        SeedNodes.Select(seed => $"{(Credentials is null ? "akka.tcp" : "akka.ssl.tcp")}://{SystemName}@{(seed.Contains("://", StringComparison.Ordinal) ? seed[(seed.IndexOf('@', StringComparison.Ordinal) + 1)..] : seed)}").ToList();

    /// <summary>A one-process run: no other cluster may use its store while it runs. A cluster's coordinators share theirs.</summary>
    public bool HoldsStoreAlone { get; init; }

    public bool IsCoordinator => Roles.Contains(ClusterRoles.Coordinator);

    public bool IsWorker => Roles.Contains(ClusterRoles.Worker);
}
