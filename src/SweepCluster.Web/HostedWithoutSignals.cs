using Microsoft.Extensions.Hosting;

namespace SweepCluster.Web;

/// <summary>
/// A host lifetime that leaves Ctrl+C and SIGTERM alone: the dashboard lives inside commands (`run`,
/// `node`, `dashboard`) that handle those signals themselves (interrupting a study cleanly, leaving the
/// cluster) and stop the dashboard when they are done.
/// </summary>
internal sealed class HostedWithoutSignals : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
