using System.ComponentModel;
using System.Runtime.InteropServices;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Work;
using SweepCluster.Query.Projection;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

public sealed class NodeCommand : AsyncCommand<NodeCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandOption("--config <FILE>")]
        [Description("Node settings (YAML, see cluster-config/). Environment variables (SWEEPCLUSTER_ROLES, _HOST, _PUBLIC_HOST, _PORT, _SEEDS, _SLOTS, _STORE) override it, and flags override both.")]
        public string? Config { get; init; }

        [CommandOption("--role <ROLE>")]
        [Description("coordinator or worker; repeat for both. Default: both.")]
        public string[]? Roles { get; init; }

        [CommandOption("--host <HOST>")]
        [Description("The address to bind (default 127.0.0.1; with --public-host, 0.0.0.0).")]
        public string? Host { get; init; }

        [CommandOption("--public-host <HOST>")]
        [Description("The address other nodes reach this one at, when it listens beyond loopback.")]
        public string? PublicHost { get; init; }

        [CommandOption("--port <PORT>")]
        [Description("The port to listen on (default 4053; 0 picks a free one).")]
        public int? Port { get; init; }

        [CommandOption("--seed <HOST:PORT>")]
        [Description("A seed node (repeatable). No seeds: this node starts a new cluster.")]
        public string[]? Seeds { get; init; }

        [CommandOption("--slots <N>")]
        [Description("Trainings at once on a worker (default: the number of cores).")]
        public int? Slots { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var file = settings.Config is null ? NodeSettingsFile.Empty : NodeSettingsFile.Load(settings.Config);
        string? Env(string name) => Environment.GetEnvironmentVariable("SWEEPCLUSTER_" + name) is { Length: > 0 } v ? v : null;
        IReadOnlyList<string>? EnvList(string name) => Env(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var roles = (settings.Roles is { Length: > 0 } r ? r : null) ?? EnvList("ROLES") ?? file.Roles ?? [ClusterRoles.Coordinator, ClusterRoles.Worker];
        foreach (var role in roles.Where(x => x is not (ClusterRoles.Coordinator or ClusterRoles.Worker)))
        {
            throw new ConfigException([new ConfigError(settings.Config ?? "command line", 0, 0, "roles", $"unknown role '{role}' (coordinator or worker)")]);
        }
        var publicHost = settings.PublicHost ?? Env("PUBLIC_HOST") ?? file.PublicHost;
        var host = settings.Host ?? Env("HOST") ?? file.Host ?? (publicHost is null ? "127.0.0.1" : "0.0.0.0");
        var port = settings.Port ?? (Env("PORT") is { } p ? (int?)int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : null) ?? file.Port ?? 4053;
        var seeds = ((settings.Seeds is { Length: > 0 } s ? s : null) ?? EnvList("SEEDS") ?? file.Seeds ?? []).Select(SeedAddress).ToList();
        var slots = settings.Slots ?? (Env("SLOTS") is { } sl ? (int?)int.Parse(sl, System.Globalization.CultureInfo.InvariantCulture) : null) ?? file.Slots ?? Environment.ProcessorCount;
        var isCoordinator = roles.Contains(ClusterRoles.Coordinator);
        var store = isCoordinator ? StoreOptions.Resolve(settings.Store ?? file.Store, Directory.GetCurrentDirectory()) : null;
        var saveState = settings.SaveStateSeconds is > 0 ? settings.SaveStateInterval : TimeSpan.FromSeconds(file.SaveStateSeconds ?? 30);

        Logging.Configure(StoreSettings.LogFolder(store ?? StoreOptions.Resolve(null, Directory.GetCurrentDirectory())), settings.LogJson, LogEventLevel.Information);
        try
        {
            var options = new NodeOptions(roles.ToList(), host, port, publicHost, seeds, slots, store, saveState, new EngineTrialExecutor());
            Log.Information("Starting a {Roles} node on {Host}:{Port} (public {Public}), seeds [{Seeds}], {Slots} slots, store {Store}",
                string.Join("+", roles), host, port, publicHost ?? host, string.Join(", ", seeds), roles.Contains(ClusterRoles.Worker) ? slots : 0, store?.Display ?? "none");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                stop.Cancel();
            });
            // A node the cluster removed (downed as unreachable, or shut down by the split-brain resolver
            // because it was left in a minority, as when two of three nodes die) starts again and rejoins
            // through its seeds: it holds no state the journal does not, and the study must go on.
            while (!await RunOnceAsync(options, isCoordinator, store, stop.Token))
            {
                Log.Warning("This node is no longer in the cluster; starting again and rejoining through its seeds [{Seeds}]", string.Join(", ", seeds));
                await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
            }
            Log.Information("Left the cluster");
            return ExitCodes.Success;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>Runs the node until asked to stop (true) or until the cluster removes it (false).</summary>
    private static async Task<bool> RunOnceAsync(NodeOptions options, bool isCoordinator, StoreOptions? store, CancellationToken stop)
    {
        ClusterNode node;
        try
        {
            node = await ClusterNode.StartAsync(options, TimeSpan.FromMinutes(2), store is null ? null : LiveProjection.On(store), stop);
        }
        catch (TimeoutException e) when (!stop.IsCancellationRequested)
        {
            Log.Warning("{Reason}", e.Message);
            return false;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return true;
        }
        await using (node)
        {
            try
            {
                await RunUntilRemovedAsync(node, isCoordinator, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            return stop.IsCancellationRequested;
        }
    }

    private static async Task RunUntilRemovedAsync(ClusterNode node, bool isCoordinator, CancellationToken stop)
    {
        // Unfinished studies are woken by a cluster singleton on the coordinator nodes (StudyWaker).
        Log.Information("Node is up ({Roles})", isCoordinator ? "coordinator" : "worker");
        var stopped = new TaskCompletionSource();
        using var registration = stop.Register(() => stopped.TrySetResult());
        await Task.WhenAny(stopped.Task, node.System.WhenTerminated);
    }

    /// <summary>host:port, or a full akka.tcp:// address.</summary>
    internal static string SeedAddress(string seed) =>
        seed.StartsWith("akka.tcp://", StringComparison.Ordinal) ? seed : $"akka.tcp://{NodeOptions.SystemName}@{seed}";
}
