using Akka.Hosting;
using SweepCluster.Cluster.Storage;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Query.Projection;

/// <summary>Runs the read model's projection inside a node that writes studies, so queries find it current.</summary>
public static class LiveProjection
{
    public static Action<AkkaConfigurationBuilder> On(StoreOptions store) =>
        builder => builder.AddStartup((system, _) => StudyProjection.RunLive(system, new ReadModelWriter(store)));
}
