using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Cluster.Work;

namespace SweepCluster.Cluster.Hosting;

public static class SweepClusterHosting
{
    /// <summary>The transport's largest frame: no protocol message comes near it.</summary>
    public const int MaxFrameBytes = 256_000;

    /// <summary>
    /// Configures a SweepCluster node: remoting and clustering with its roles, SQL persistence on the
    /// store, the protocol serializer, the study shard region (or a proxy to it on worker-only nodes) and,
    /// on workers, the worker actor. Cluster.Sharding keeps its own state in distributed data, never in
    /// the domain journal, and does not remember entities.
    /// </summary>
    public static AkkaConfigurationBuilder AddSweepClusterNode(this AkkaConfigurationBuilder builder, NodeOptions options)
    {
        if (options.IsCoordinator && options.Store is null)
        {
            throw new ArgumentException("a coordinator node needs a store", nameof(options));
        }
        // The commands own shutdown: Ctrl+C first interrupts studies through the running cluster, then the
        // command disposes the node, which runs CoordinatedShutdown. Akka's own signal hook would tear the
        // cluster down first.
        builder.AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend);
        // A shard region retries registering with the shard coordinator at this interval (2 s by default),
        // which a fresh one-process cluster always waits through once before its first study starts.
        builder.AddHocon("akka.cluster.sharding.retry-interval = 200ms", HoconAddMode.Prepend);
        // Training threads keep every core busy; Akka's timer wheel waking 100 times a second preempts them
        // for nothing, since no timer here needs better than 50 ms.
        builder.AddHocon("akka.scheduler.tick-duration = 50ms", HoconAddMode.Prepend);
        if (!options.IsCoordinator && !options.IsWorker)
        {
            // A client that cannot reach the cluster says so in one line; the transport's warnings, with
            // their stack traces, would only repeat it.
            builder.AddHocon("akka.remote.log-remote-lifecycle-events = off", HoconAddMode.Prepend);
        }
        builder
            .WithCustomSerializer("sweepcluster", [typeof(IProtocolMessage)], system => new ProtocolSerializer(system))
            .WithRemoting(new RemoteOptions
            {
                HostName = options.Host,
                Port = options.Port,
                PublicHostName = options.PublicHost,
                // The largest message by design is a state chunk (64 KiB) or a page of trial specs (48 KiB):
                // nothing whose size grows with a model or a study travels whole (docs/architecture.md). The
                // frame is set at about four times that, so no message comes near it, and kept small because
                // one connection carries both the data and the cluster's heartbeats: a heartbeat waits behind
                // a few frames at most. The socket buffers hold a few frames each.
                MaxFrameSize = MaxFrameBytes,
                SendBufferSize = 4 * MaxFrameBytes,
                ReceiveBufferSize = 4 * MaxFrameBytes,
                EnableSsl = options.Credentials is not null,
                Ssl = options.Credentials is { } credentials
                    ? new SslOptions
                    {
                        X509Certificate = credentials.Node,
                        SuppressValidation = false,
                        RequireMutualAuthentication = true,
                        ValidateCertificateHostname = false,
                        CustomValidator = credentials.AcceptPeer,
                    }
                    : null!,
            })
            .WithClustering(new ClusterOptions { Roles = options.Roles.ToArray(), SeedNodes = options.SeedAddresses.ToArray() });
        if (options.Store is { } store)
        {
            builder.WithStudyPersistence(store);
        }

        var extractor = new StudyMessageExtractor();
        if (options.IsCoordinator)
        {
            var states = options.StateStore ?? new TrainingStateStore(options.Store!);
            var settings = options.Coordinator;
            builder.WithShardRegion<StudyRegion>(
                "study",
                studyId => Props.Create(() => new StudyCoordinator(studyId, states, settings)),
                extractor,
                new ShardOptions
                {
                    Role = ClusterRoles.Coordinator,
                    StateStoreMode = StateStoreMode.DData,
                    RememberEntities = false,
                    ShouldPassivateIdleEntities = false,
                });
        }
        else
        {
            builder.WithShardRegionProxy<StudyRegion>("study", ClusterRoles.Coordinator, extractor);
        }
        if (options.IsCoordinator)
        {
            var journalStore = options.Store!;
            builder.WithSingleton<StudyWakerKey>(
                "study-waker",
                (_, registry, _) => Props.Create(() => new StudyWaker(journalStore, registry.Get<StudyRegion>())),
                new ClusterSingletonOptions { Role = ClusterRoles.Coordinator },
                createProxyToo: false);
            builder.WithActors((system, _) => system.ActorOf(Props.Create(() => new MembershipLog()), "membership-log"));
        }

        if (options.IsWorker)
        {
            builder.WithActors((system, registry) =>
            {
                var node = Akka.Cluster.Cluster.Get(system).SelfUniqueAddress.ToString();
                var worker = new WorkerOptions(node, options.Slots, options.SaveStateInterval, options.Executor);
                var actor = system.ActorOf(Props.Create(() => new WorkerActor(worker, registry.Get<StudyRegion>())), "worker");
                registry.Register<WorkerRegistryKey>(actor);
            });
        }
        if (options.SeedNodes.Count == 0)
        {
            builder.AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            });
        }
        return builder;
    }

    /// <summary>
    /// SQL persistence on the store, with study events tagged for the read side. The journal's circuit
    /// breaker tries the database again after 3 s instead of 30 s: after the database comes back, a study
    /// otherwise waits up to a minute before its coordinator can recover.
    /// </summary>
    public static AkkaConfigurationBuilder WithStudyPersistence(this AkkaConfigurationBuilder builder, StoreOptions store) =>
        builder.AddHocon(
            """
            akka.persistence.journal-plugin-fallback.circuit-breaker.reset-timeout = 3s
            akka.persistence.snapshot-store-plugin-fallback.circuit-breaker.reset-timeout = 3s
            akka.persistence.journal.sql.circuit-breaker.reset-timeout = 3s
            akka.persistence.snapshot-store.sql.circuit-breaker.reset-timeout = 3s
            """, HoconAddMode.Prepend)
        .WithSqlPersistence(
            store.ConnectionString,
            store.Linq2DbProvider,
            autoInitialize: true,
            journalBuilder: journal => journal.AddWriteEventAdapter<StudyEventTagger>("study-event-tagger", [typeof(IStudyEvent)]));
}
