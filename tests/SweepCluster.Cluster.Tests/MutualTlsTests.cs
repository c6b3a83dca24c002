using System.Net.Sockets;
using SweepCluster.Worker;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Security;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Cluster.Work;

namespace SweepCluster.Cluster.Tests;

/// <summary>
/// A coordinator with the cluster's certificate on loopback, and peers that try to reach it: only a
/// peer whose certificate comes from the same authority joins or submits.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class MutualTlsTests : IDisposable
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RefusedWithin = TimeSpan.FromSeconds(8);
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-tls-").FullName;
    private readonly CertificateAuthority _authority = CertificateAuthority.Create("test cluster", TimeSpan.FromDays(1));
    private readonly CertificateAuthority _stranger = CertificateAuthority.Create("test cluster", TimeSpan.FromDays(1));

    public void Dispose()
    {
        _authority.Dispose();
        _stranger.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task<ClusterNode> StartCoordinator(int port) => ClusterNode.StartAsync(
        new NodeOptions([ClusterRoles.Coordinator], "127.0.0.1", port, null, [], 0,
            StoreOptions.Sqlite(Path.Combine(_folder, "store.db")), TimeSpan.FromSeconds(30), new EngineTrialExecutor())
        { Credentials = _authority.Issue("coordinator", TimeSpan.FromDays(1)) },
        JoinTimeout);

    private static NodeOptions Client(int seedPort, ClusterCredentials? credentials) =>
        new NodeOptions(["client"], "127.0.0.1", 0, null, [$"127.0.0.1:{seedPort}"], 0, null, TimeSpan.FromSeconds(30), new EngineTrialExecutor())
        { Credentials = credentials };

    [Fact]
    public async Task A_peer_with_a_certificate_from_the_cluster_authority_joins_and_submits()
    {
        var port = FreePort();
        await using var coordinator = await StartCoordinator(port);
        await using var client = await ClusterNode.StartAsync(Client(port, _authority.Issue("client", TimeSpan.FromDays(1))), JoinTimeout);

        var started = await client.AskAsync(TestTrials.Start(TestTrials.Sweep("trusted")), JoinTimeout);

        Assert.Equal(4, Assert.IsType<StudyStarted>(started).TrialsAdded);
    }

    [Fact]
    public async Task A_peer_with_a_certificate_from_another_authority_cannot_join()
    {
        var port = FreePort();
        await using var coordinator = await StartCoordinator(port);

        var join = ClusterNode.StartAsync(Client(port, _stranger.Issue("client", TimeSpan.FromDays(1))), RefusedWithin);

        await Assert.ThrowsAsync<TimeoutException>(() => join);
        Assert.Single(Akka.Cluster.Cluster.Get(coordinator.System).State.Members);
    }

    [Fact]
    public async Task A_peer_without_a_certificate_cannot_join_or_deliver_a_message()
    {
        var port = FreePort();
        await using var coordinator = await StartCoordinator(port);

        var join = ClusterNode.StartAsync(Client(port, credentials: null), RefusedWithin);

        await Assert.ThrowsAsync<TimeoutException>(() => join);
        Assert.Single(Akka.Cluster.Cluster.Get(coordinator.System).State.Members);
        // A plain actor system on loopback sends a study straight to the coordinator's shard region.
        using var plain = Akka.Actor.ActorSystem.Create(NodeOptions.SystemName, Akka.Configuration.ConfigurationFactory.ParseString(
            "akka.actor.provider = remote\nakka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }"));
        var region = plain.ActorSelection($"akka.tcp://{NodeOptions.SystemName}@127.0.0.1:{port}/system/sharding/study");
        region.Tell(TestTrials.Start(TestTrials.Sweep("smuggled")));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var status = await coordinator.AskAsync(new GetStudyProgress("smuggled"), JoinTimeout);
        Assert.IsType<UnknownStudy>(status);
    }

    [Fact]
    public void A_bundle_round_trips_through_its_file_even_when_the_node_shares_the_cluster_name()
    {
        using var authority = CertificateAuthority.Create("lab", TimeSpan.FromDays(1));
        var path = Path.Combine(_folder, "lab.p12");

        CertificateAuthority.SaveBundle(authority.Issue("lab", TimeSpan.FromDays(1)), path);
        var loaded = ClusterCredentials.Load(path);

        Assert.True(loaded.Node.HasPrivateKey);
        Assert.Equal(authority.Certificate.Thumbprint, loaded.Authority.Thumbprint);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.True(loaded.AcceptPeer(loaded.Node, null, "self", System.Net.Security.SslPolicyErrors.None, Akka.Event.NoLogger.Instance));
        Assert.False(loaded.AcceptPeer(_stranger.Issue("x", TimeSpan.FromDays(1)).Node, null, "stranger", System.Net.Security.SslPolicyErrors.None, Akka.Event.NoLogger.Instance));
    }
}
