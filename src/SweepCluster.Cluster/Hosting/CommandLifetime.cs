using Microsoft.Extensions.Hosting;

namespace SweepCluster.Cluster.Hosting;

/// <summary>
/// A host lifetime that leaves SIGINT and SIGTERM to the command. The default console lifetime stops the
/// host, and with it the actor system, on Ctrl+C; but Ctrl+C must first interrupt the study so running
/// trials can save their state through the still-running cluster.
/// </summary>
internal sealed class CommandLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
