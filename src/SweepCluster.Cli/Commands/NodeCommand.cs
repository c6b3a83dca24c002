using System.ComponentModel;
using System.Runtime.InteropServices;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Worker;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Security;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Work;
using SweepCluster.Query.Projection;
using SweepCluster.Training.Data;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

public sealed class NodeCommand : AsyncCommand<NodeCommand.Settings>
{
    public sealed class Settings : TrainingStoreSettings
    {
        [CommandOption("--config <FILE>")]
        [Description("Node settings (YAML, see cluster-config/). Environment variables (SWEEPCLUSTER_ROLES, _HOST, _PUBLIC_HOST, _PORT, _SEEDS, _SLOTS, _STORE, _TLS, _DATA_ROOTS) override it, and flags override both.")]
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

        [CommandOption("--tls <FILE>")]
        [Description("This node's bundle from `sweepcluster certs issue NAME`: every connection is then mutual TLS, and only peers with a bundle from the same authority get in. Required when the node listens beyond loopback.")]
        public string? Tls { get; init; }

        [CommandOption("--insecure")]
        [Description("Listen beyond loopback without TLS: anyone who reaches the port can join. Only on a network you trust.")]
        public bool Insecure { get; init; }

        [CommandOption("--dashboard <PORT>")]
        [Description("Coordinator only: serve the dashboard over this node's store on PORT, live as its studies run.")]
        public int? Dashboard { get; init; }

        [CommandOption("--dashboard-bind <ADDRESS>")]
        [Description("The dashboard's address (default 127.0.0.1). Any other needs --dashboard-token; with --tls it serves HTTPS with this node's certificate.")]
        public string? DashboardBind { get; init; }

        [CommandOption("--dashboard-token <TOKEN>")]
        [Description($"The token every dashboard request must carry. Default: ${DashboardCommand.TokenVariable}.")]
        public string? DashboardToken { get; init; }

        [CommandOption("--data-root <DIR>")]
        [Description("A folder a worker may read datasets from (repeatable). Default: ./data and /usr/share/datasets.")]
        public string[]? DataRoots { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var file = settings.Config is null ? NodeSettingsFile.Empty : NodeSettingsFile.Load(settings.Config);
        var fileOrigin = settings.Config ?? "node settings";
        var roles = (settings.Roles is { Length: > 0 } r ? r : null) ?? NodeEnvironment.List("ROLES") ?? file.Roles ?? [ClusterRoles.Coordinator, ClusterRoles.Worker];
        foreach (var role in roles.Where(x => x is not (ClusterRoles.Coordinator or ClusterRoles.Worker)))
        {
            throw new ConfigException([new ConfigError(settings.Config ?? "command line", 0, 0, "roles", $"unknown role '{role}' (coordinator or worker)")]);
        }
        var publicHost = settings.PublicHost ?? NodeEnvironment.Text("PUBLIC_HOST") ?? file.PublicHost;
        var host = settings.Host ?? NodeEnvironment.Text("HOST") ?? file.Host ?? (publicHost is null ? "127.0.0.1" : "0.0.0.0");
        var port = NodeEnvironment.Bounded("--port", settings.Port, "PORT", file.Port, fileOrigin, "port", 4053, 0, 65535);
        var seeds = ((settings.Seeds is { Length: > 0 } s ? s : null) ?? NodeEnvironment.List("SEEDS") ?? file.Seeds ?? []).ToList();
        var slots = NodeEnvironment.Bounded("--slots", settings.Slots, "SLOTS", file.Slots, fileOrigin, "slots", Environment.ProcessorCount, 0, 256);
        var isCoordinator = roles.Contains(ClusterRoles.Coordinator);
        var store = isCoordinator ? StoreOptions.Resolve(settings.Store ?? file.Store, Directory.GetCurrentDirectory()) : null;
        var saveState = settings.SaveStateSeconds is > 0 ? settings.SaveStateInterval : TimeSpan.FromSeconds(file.SaveStateSeconds ?? 30);
        var credentials = TransportSecurity.Resolve(settings.Tls, file.Tls, settings.Config ?? "command line", settings.Insecure || file.Insecure == true, host, publicHost);
        var dataRoots = DataRoots.Resolve((settings.DataRoots is { Length: > 0 } d ? d : null) ?? NodeEnvironment.List("DATA_ROOTS") ?? file.DataRoots, Directory.GetCurrentDirectory());

        Logging.Configure(StoreSettings.LogFolder(store ?? StoreOptions.Resolve(null, Directory.GetCurrentDirectory())), settings.LogJson, LogEventLevel.Information);
        try
        {
            var options = new NodeOptions(roles.ToList(), host, port, publicHost, seeds, slots, store, saveState, new EngineTrialExecutor(dataRoots)) { Credentials = credentials };
            Log.Information("Starting a {Roles} node on {Host}:{Port} (public {Public}), seeds [{Seeds}], {Slots} slots, store {Store}, {Transport}",
                string.Join("+", roles), host, port, publicHost ?? host, string.Join(", ", seeds), roles.Contains(ClusterRoles.Worker) ? slots : 0, store?.Display ?? "none",
                credentials is null ? "plain TCP (no TLS)" : $"mutual TLS ({credentials.Source})");
            if (roles.Contains(ClusterRoles.Worker))
            {
                Log.Information("Workers read datasets only under {Roots}", string.Join(", ", dataRoots.Folders));
            }
            if (credentials is null)
            {
                Log.Warning("No TLS: any process that reaches {Host}:{Port} can join this cluster and submit studies. Give --tls FILE (see `sweepcluster certs`).", host, port);
            }
            var dashboardSettings = DashboardSettingsOf(settings, store, credentials);
            LiveDashboard? dashboard = null;
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
            // The dashboard starts once the node is up (its store then holds a journal, and the query tables
            // may be made beside it) and lasts across rejoins.
            async Task OnStarted(CancellationToken c)
            {
                if (dashboardSettings is not null && dashboard is null)
                {
                    // The coordinator's projection fills the query tables; they exist before the first page asks.
                    await new SweepCluster.Query.ReadModel.ReadModelWriter(dashboardSettings.Store).StoredOffsetAsync(c);
                    dashboard = await LiveDashboard.StartAsync(dashboardSettings, c);
                }
            }
            try
            {
                while (!await RunOnceAsync(options, isCoordinator, store, OnStarted, stop.Token))
                {
                    Log.Warning("This node is no longer in the cluster; starting again and rejoining through its seeds [{Seeds}]", string.Join(", ", seeds));
                    await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
                }
            }
            finally
            {
                if (dashboard is not null)
                {
                    await dashboard.DisposeAsync();
                }
            }
            Log.Information("Left the cluster");
            return ExitCodes.Success;
        }
        finally
        {
            await Logging.CloseAsync();
        }
    }

    /// <summary>The dashboard over the coordinator's store, if asked for: over HTTPS with the node's certificate when the cluster uses TLS and the dashboard listens beyond loopback.</summary>
    private static SweepCluster.Web.DashboardSettings? DashboardSettingsOf(Settings settings, StoreOptions? store, ClusterCredentials? credentials)
    {
        if (settings.Dashboard is not { } port)
        {
            return null;
        }
        if (store is null)
        {
            throw new ConfigException([new ConfigError("command line", 0, 0, "dashboard", "the dashboard reads the coordinator's store: give --role coordinator")]);
        }
        if (!System.Net.IPAddress.TryParse(settings.DashboardBind ?? "127.0.0.1", out var address))
        {
            throw new ConfigException([new ConfigError("command line", 0, 0, "dashboard-bind", $"expected an IP address such as 127.0.0.1 or 0.0.0.0, found '{settings.DashboardBind}'")]);
        }
        var certificate = System.Net.IPAddress.IsLoopback(address) ? null : credentials?.Node;
        var dashboard = new SweepCluster.Web.DashboardSettings(store, address, port, settings.DashboardToken ?? Environment.GetEnvironmentVariable(DashboardCommand.TokenVariable), certificate);
        return dashboard.Problem() is { } problem
            ? throw new ConfigException([new ConfigError("command line", 0, 0, "dashboard", problem)])
            : dashboard;
    }

    /// <summary>Runs the node until asked to stop (true) or until the cluster removes it (false).</summary>
    private static async Task<bool> RunOnceAsync(NodeOptions options, bool isCoordinator, StoreOptions? store, Func<CancellationToken, Task> onStarted, CancellationToken stop)
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
                await onStarted(stop);
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
}
