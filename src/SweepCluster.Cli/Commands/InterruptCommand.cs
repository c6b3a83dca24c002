using System.ComponentModel;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Protocol;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;

namespace SweepCluster.Cli.Commands;

/// <summary>Interrupts a study on a running cluster: its running trials save their state and go back to pending.</summary>
public sealed class InterruptCommand : AsyncCommand<InterruptCommand.Settings>
{
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromMinutes(2);

    public sealed class Settings : CommandSettings, IClusterClientOptions
    {
        [CommandArgument(0, "<STUDY>")]
        [Description("The study to interrupt.")]
        public string Study { get; init; } = "";

        [CommandOption("--cluster <HOST:PORT>")]
        [Description("A node of the running cluster (a seed).")]
        public string? Cluster { get; init; }

        [CommandOption("--host <HOST>")]
        [Description("The address this client binds (default 127.0.0.1; with --public-host, 0.0.0.0).")]
        public string? Host { get; init; }

        [CommandOption("--public-host <HOST>")]
        [Description("The address the cluster reaches this client at, when the cluster is on another machine.")]
        public string? PublicHost { get; init; }

        [CommandOption("--log-json")]
        [Description("Write logs as compact JSON.")]
        public bool LogJson { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Cluster) ? Spectre.Console.ValidationResult.Error("--cluster HOST:PORT is required") : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Logging.Configure(StoreSettings.LogFolder(StoreOptions.Resolve(null, Directory.GetCurrentDirectory())), settings.LogJson, LogEventLevel.Information);
        try
        {
            await using var node = await ClusterClient.ConnectAsync(settings, cancellationToken);
            if (await node.AskAsync(new InterruptStudy(settings.Study), TimeSpan.FromMinutes(1), cancellationToken) is not StudyProgress progress)
            {
                CliErrors.Error($"the cluster at {settings.Cluster} has no study {settings.Study}");
                return ExitCodes.InvalidInput;
            }
            Log.Information("Study {Study} interrupted; waiting for its {Running} running trials to save their state", settings.Study, progress.Running);
            var deadline = DateTime.UtcNow + QuietTimeout;
            while (!progress.IsSettled && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                progress = (StudyProgress)await node.AskAsync(new GetStudyProgress(settings.Study), TimeSpan.FromSeconds(10), cancellationToken);
            }
            if (!progress.IsSettled)
            {
                Log.Warning("Study {Study}: {Running} trials still running after {Seconds} s; they stop on their own", settings.Study, progress.Running, QuietTimeout.TotalSeconds);
            }
            var done = progress.Completed + progress.Diverged + progress.Failed;
            Log.Information("Study {Study} is {Phase}: {Done}/{Total} done, {Pending} pending; continue it with: sweepcluster resume {Study} --cluster {Cluster}",
                settings.Study, progress.Phase.ToString().ToLowerInvariant(), done, progress.Total, progress.Pending, settings.Study, settings.Cluster);
            return ExitCodes.Success;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
