using System.ComponentModel;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;

namespace SweepCluster.Cli.Commands;

public sealed class ResumeCommand : AsyncCommand<ResumeCommand.Settings>
{
    public sealed class Settings : TrainingStoreSettings, IClusterClientOptions
    {
        [CommandArgument(0, "<STUDY>")]
        [Description("The study to continue: completed trials are not run again, interrupted ones continue from their saved state.")]
        public string Study { get; init; } = "";

        [CommandOption("--slots <N>")]
        [Description("Trainings at once on this machine (default: the number of cores). Not with --cluster.")]
        public int? Slots { get; init; }

        [CommandOption("--cluster <HOST:PORT>")]
        [Description("Resume the study on this running cluster instead of in this process, and follow it (Ctrl+C stops following).")]
        public string? Cluster { get; init; }

        [CommandOption("--host <HOST>")]
        [Description("With --cluster: the address this client binds (default 127.0.0.1; with --public-host, 0.0.0.0).")]
        public string? Host { get; init; }

        [CommandOption("--public-host <HOST>")]
        [Description("With --cluster: the address the cluster reaches this client at.")]
        public string? PublicHost { get; init; }

        [CommandOption("--tls <FILE>")]
        [Description("With --cluster: this client's bundle from `sweepcluster certs issue NAME` (default: $SWEEPCLUSTER_TLS).")]
        public string? Tls { get; init; }

        [CommandOption("--insecure")]
        [Description("With --cluster and --public-host: reach the cluster without TLS.")]
        public bool Insecure { get; init; }

        [CommandOption("--detach")]
        [Description("With --cluster: return once the study is resumed instead of following it.")]
        public bool Detach { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Cluster is not null)
        {
            return await ResumeOnClusterAsync(settings, cancellationToken);
        }
        var store = settings.ResolveStore();
        if (!store.MayHoldStudies)
        {
            CliErrors.Error($"{store.Display}: no store here, so no study {settings.Study} to resume");
            return ExitCodes.InvalidInput;
        }
        Logging.Configure(StoreSettings.LogFolder(store), settings.LogJson, StudyFollower.Interactive ? LogEventLevel.Warning : LogEventLevel.Information);
        try
        {
            await using var node = await EmbeddedNode.StartAsync(store, settings.Slots ?? Environment.ProcessorCount, settings.SaveStateInterval, cancellationToken);
            return await ResumeAsync(node, settings.Study, store.Display, cancellationToken) switch
            {
                null => ExitCodes.InvalidInput,
                { Phase: StudyPhase.Finished, Pending: 0, Running: 0 } => AlreadyFinished(settings.Study),
                _ => await FollowedRun.FollowAsync(node, settings.Study, OnCancel.Interrupt, cancellationToken),
            };
        }
        finally
        {
            await Logging.CloseAsync();
        }
    }

    private static async Task<int> ResumeOnClusterAsync(Settings settings, CancellationToken cancellationToken)
    {
        Logging.Configure(StoreSettings.LogFolder(settings.ResolveStore()), settings.LogJson, StudyFollower.Interactive ? LogEventLevel.Warning : LogEventLevel.Information, client: true);
        try
        {
            await using var node = await ClusterClient.ConnectAsync(settings, cancellationToken);
            return await ResumeAsync(node, settings.Study, $"the cluster at {settings.Cluster}", cancellationToken) switch
            {
                null => ExitCodes.InvalidInput,
                { Phase: StudyPhase.Finished, Pending: 0, Running: 0 } => AlreadyFinished(settings.Study),
                _ => settings.Detach ? ExitCodes.Success : await FollowedRun.FollowAsync(node, settings.Study, OnCancel.Detach, cancellationToken),
            };
        }
        finally
        {
            await Logging.CloseAsync();
        }
    }

    private static async Task<StudyProgress?> ResumeAsync(ClusterNode node, string study, string where, CancellationToken cancellation)
    {
        if (await node.AskAsync(new ResumeStudy(study), TimeSpan.FromMinutes(2), cancellation) is not StudyProgress progress)
        {
            CliErrors.Error($"{where}: there is no study '{study}'");
            return null;
        }
        Log.Information("Resuming study {Study} ({Phase}: {Pending} trials pending)", study, progress.Phase.ToString().ToLowerInvariant(), progress.Pending);
        return progress;
    }

    private static int AlreadyFinished(string study)
    {
        Console.WriteLine($"Study {study} is already finished: every trial has ended, so there is nothing to resume. Its results: sweepcluster results {study}");
        return ExitCodes.Success;
    }
}
