using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using Akka.Streams;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Storage;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Query.Projection;

/// <summary>
/// Runs the read model's projection in the cluster that writes studies, so queries find it current: once
/// per cluster, as a singleton on the coordinator nodes (one writer, not one per coordinator node racing
/// for the same offset); when its node leaves, the singleton starts on another coordinator node from the
/// stored offset.
/// </summary>
public static class LiveProjection
{
    public static Action<AkkaConfigurationBuilder> On(StoreOptions store) =>
        builder => builder.WithSingleton<LiveProjectionKey>(
            "read-model-projection",
            Props.Create(() => new LiveProjectionActor(new ReadModelWriter(store))),
            new ClusterSingletonOptions { Role = ClusterRoles.Coordinator },
            createProxyToo: false);
}

/// <summary>Registry key of the projection singleton.</summary>
public sealed class LiveProjectionKey;

/// <summary>Owns the projection's stream: started with the actor, stopped with it.</summary>
internal sealed class LiveProjectionActor(ReadModelWriter writer) : ReceiveActor
{
    private UniqueKillSwitch? _stream;

    protected override void PreStart()
    {
        Context.GetLogger().Info("Projecting study events into the read model");
        _stream = StudyProjection.RunLive(Context.System, writer);
    }

    protected override void PostStop() => _stream?.Shutdown();
}
