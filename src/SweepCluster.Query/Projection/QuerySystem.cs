using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Query.Projection;

/// <summary>A local actor system that reads the store's journal, for commands that run with no cluster.</summary>
public sealed class QuerySystem : IAsyncDisposable
{
    private readonly IHost _host;

    private QuerySystem(IHost host) => _host = host;

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    public static async Task<QuerySystem> StartAsync(StoreOptions store, CancellationToken cancellation = default)
    {
        StoreConnections.Prepare(store);
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("sweepcluster-query", builder => builder
                // Queries write CSV and JSON to stdout: none of Akka's lines may land there.
                .WithSerilogOnly(Akka.Event.LogLevel.WarningLevel)
                .WithCustomSerializer("sweepcluster", [typeof(IProtocolMessage)], system => new ProtocolSerializer(system))
                .WithStudyPersistence(store)))
            .Build();
        await host.StartAsync(cancellation);
        return new QuerySystem(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}
