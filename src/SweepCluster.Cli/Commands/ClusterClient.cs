using System.ComponentModel;
using Spectre.Console.Cli;
using SweepCluster.Worker;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Work;

namespace SweepCluster.Cli.Commands;

/// <summary>The options of a command that talks to a running cluster: where it is, and where it reaches this client back.</summary>
public interface IClusterClientOptions
{
    string? Cluster { get; }

    string? Host { get; }

    string? PublicHost { get; }

    string? Tls { get; }

    bool Insecure { get; }
}

/// <summary>The options of `submit` and `interrupt`: a cluster to talk to, and logs.</summary>
public class ClusterClientSettings : CommandSettings, IClusterClientOptions
{
    [CommandOption("--cluster <HOST:PORT>")]
    [Description("A node of the running cluster (a seed).")]
    public string? Cluster { get; init; }

    [CommandOption("--host <HOST>")]
    [Description("The address this client binds (default 127.0.0.1; with --public-host, 0.0.0.0).")]
    public string? Host { get; init; }

    [CommandOption("--public-host <HOST>")]
    [Description("The address the cluster reaches this client at, when the cluster is on another machine.")]
    public string? PublicHost { get; init; }

    [CommandOption("--tls <FILE>")]
    [Description("This client's bundle from `sweepcluster certs issue NAME`, when the cluster uses TLS (default: $SWEEPCLUSTER_TLS).")]
    public string? Tls { get; init; }

    [CommandOption("--insecure")]
    [Description("With --public-host: reach the cluster without TLS (only on a network you trust).")]
    public bool Insecure { get; init; }

    [CommandOption("--log-json")]
    [Description("Write logs as compact JSON.")]
    public bool LogJson { get; init; }

    public override Spectre.Console.ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Cluster) ? Spectre.Console.ValidationResult.Error("--cluster HOST:PORT is required") : Spectre.Console.ValidationResult.Success();
}

public sealed class ClusterUnreachableException(string message) : Exception(message);

/// <summary>Joins a running cluster as a client node: no role, no store; it reaches the coordinators through a shard region proxy.</summary>
internal static class ClusterClient
{
    /// <summary>How long a client waits for a cluster to let it in before saying that none answers.</summary>
    public static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(10);

    public static async Task<ClusterNode> ConnectAsync(IClusterClientOptions client, CancellationToken cancellation)
    {
        var cluster = client.Cluster ?? throw new ClusterUnreachableException("--cluster HOST:PORT is required");
        var host = client.Host ?? (client.PublicHost is null ? "127.0.0.1" : "0.0.0.0");
        var credentials = TransportSecurity.Resolve(client.Tls, fromFile: null, "command line", client.Insecure, host, client.PublicHost);
        var options = new NodeOptions(["client"], host, 0, client.PublicHost, [cluster], 0, null, TimeSpan.FromMinutes(1), new EngineTrialExecutor()) { Credentials = credentials };
        try
        {
            return await ClusterNode.StartAsync(options, JoinTimeout, cancellation: cancellation);
        }
        catch (TimeoutException)
        {
            var hint = client.PublicHost is null && !IsLoopback(cluster)
                ? "; this client listens on 127.0.0.1, so a cluster on another machine cannot answer it: give --public-host with this machine's address"
                : "";
            var tlsHint = credentials is null
                ? "; if the cluster uses TLS, give this client its bundle with --tls FILE"
                : $"; if it does, its certificates may come from another authority than {credentials.Source}";
            throw new ClusterUnreachableException($"no cluster answered at {cluster} within {JoinTimeout.TotalSeconds:F0} s: is a node running there, on that port{hint}{tlsHint}?");
        }
    }

    private static bool IsLoopback(string cluster) =>
        cluster.StartsWith("127.", StringComparison.Ordinal) || cluster.StartsWith("localhost", StringComparison.OrdinalIgnoreCase) || cluster.Contains("@127.", StringComparison.Ordinal);
}
