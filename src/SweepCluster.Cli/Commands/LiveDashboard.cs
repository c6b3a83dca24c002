using System.Net;
using Microsoft.AspNetCore.Builder;
using SweepCluster.Cluster.Storage;
using SweepCluster.Web;

namespace SweepCluster.Cli.Commands;

/// <summary>The dashboard inside a running command (`run --dashboard`), on loopback, for as long as the run lasts.</summary>
internal sealed class LiveDashboard(WebApplication app) : IAsyncDisposable
{
    public static Task<LiveDashboard> StartAsync(StoreOptions store, int port, CancellationToken cancellation) =>
        StartAsync(new DashboardSettings(store, IPAddress.Loopback, port), cancellation);

    public static async Task<LiveDashboard> StartAsync(DashboardSettings settings, CancellationToken cancellation)
    {
        var port = settings.Port;
        var app = DashboardApp.Build(settings);
        try
        {
            await app.StartAsync(cancellation);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new PortUnavailableException($"--dashboard {port}: cannot listen on {settings.Address}:{port} ({e.Message}); choose another port");
        }
        Console.Error.WriteLine($"Dashboard at {app.Urls.First().Replace("0.0.0.0", settings.Address.ToString(), StringComparison.Ordinal)}/");
        return new LiveDashboard(app);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}

/// <summary>A port asked for cannot be listened on (taken, or not allowed).</summary>
public sealed class PortUnavailableException(string message) : Exception(message);
