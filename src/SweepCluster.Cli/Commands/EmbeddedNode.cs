using SweepCluster.Worker;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Work;
using SweepCluster.Query.Projection;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// The one-process cluster of `run` and `resume`: a coordinator and local workers on a free loopback port.
/// Its port takes only connections that show a certificate made for this process, so no other user of
/// the machine can join it or send it a study.
/// </summary>
internal static class EmbeddedNode
{
    public static Task<ClusterNode> StartAsync(StoreOptions store, int slots, TimeSpan saveStateInterval, CancellationToken cancellation) =>
        ClusterNode.StartAsync(
            new NodeOptions([ClusterRoles.Coordinator, ClusterRoles.Worker], "127.0.0.1", 0, null, [], slots, store, saveStateInterval, new EngineTrialExecutor())
            {
                Credentials = TransportSecurity.Ephemeral(),
                HoldsStoreAlone = true,
            },
            TimeSpan.FromSeconds(60),
            LiveProjection.On(store),
            cancellation);
}
