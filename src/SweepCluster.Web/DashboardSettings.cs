using System.Net;
using System.Security.Cryptography.X509Certificates;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Web;

/// <summary>
/// Where the dashboard listens and what it reads. It listens on loopback unless told otherwise; listening
/// beyond this machine requires a token, since the API shows every study in the store. With a
/// <see cref="Certificate"/> (a cluster node's, when the cluster uses TLS) it serves HTTPS.
/// </summary>
public sealed record DashboardSettings(StoreOptions Store, IPAddress Address, int Port, string? Token = null, X509Certificate2? Certificate = null)
{
    public const int DefaultPort = 8080;

    /// <summary>Why these settings cannot be served, or null.</summary>
    public string? Problem() =>
        !IPAddress.IsLoopback(Address) && string.IsNullOrEmpty(Token)
            ? $"listening on {Address} reaches beyond this machine and needs a token: give --token (or set SWEEPCLUSTER_DASHBOARD_TOKEN)"
            : Port is < 0 or > 65535 ? $"--port {Port}: expected 0 to 65535" : null;
}
