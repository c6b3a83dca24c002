using System.Net;
using SweepCluster.Cluster.Security;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// Decides how a node or client secures its connections: mutual TLS with the cluster's bundle when it has
/// one (--tls, $SWEEPCLUSTER_TLS, or `tls:` in node settings), and never plain TCP beyond loopback unless
/// told --insecure.
/// </summary>
internal static class TransportSecurity
{
    /// <summary>
    /// The bundle from --tls, else $SWEEPCLUSTER_TLS, else the node settings file (clients have none), with
    /// where it was given for errors; then as <see cref="Resolve(string?, string, bool, string, string?)"/>.
    /// </summary>
    public static ClusterCredentials? Resolve(string? flag, string? fromFile, string file, bool insecure, string host, string? publicHost)
    {
        var (tls, origin) = flag is not null ? (flag, "--tls")
            : NodeEnvironment.Text("TLS") is { } variable ? (variable, "$" + NodeEnvironment.Prefix + "TLS")
            : (fromFile, file);
        return Resolve(tls, origin, insecure, host, publicHost);
    }

    /// <param name="tls">A node bundle from `certs issue`, or null.</param>
    /// <param name="origin">Where <paramref name="tls"/> was given (a flag, a variable, a settings file), for errors.</param>
    public static ClusterCredentials? Resolve(string? tls, string origin, bool insecure, string host, string? publicHost)
    {
        if (tls is not null)
        {
            try
            {
                return ClusterCredentials.Load(tls);
            }
            catch (CredentialsException e)
            {
                throw new ConfigException([new ConfigError(origin, 0, 0, "tls", e.Message)]);
            }
        }
        if (!insecure && !IsLoopback(host))
        {
            throw new ConfigException([new ConfigError(origin, 0, 0, "tls",
                $"this node would listen on {host}{(publicHost is null ? "" : $" (reached as {publicHost})")} without TLS: anyone who reaches the port could join the cluster and run code on it. " +
                "Give it the cluster's certificates with --tls FILE (make them with `sweepcluster certs init` and `sweepcluster certs issue NAME`), or pass --insecure on a network you trust")]);
        }
        return null;
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The embedded one-process run trusts nothing but itself: a key made for this process alone.</summary>
    public static ClusterCredentials Ephemeral()
    {
        using var authority = CertificateAuthority.Create("sweepcluster embedded run", TimeSpan.FromDays(30));
        return authority.Issue("embedded", TimeSpan.FromDays(30));
    }
}
