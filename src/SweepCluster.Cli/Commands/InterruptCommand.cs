using System.ComponentModel;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;

namespace SweepCluster.Cli.Commands;

/// <summary>Interrupts a study on a running cluster: its running trials save their state and go back to pending.</summary>
public sealed class InterruptCommand : AsyncCommand<InterruptCommand.Settings>
{
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromMinutes(2);

    public sealed class Settings : ClusterClientSettings
    {
        [CommandArgument(0, "<STUDY>")]
        [Description("The study to interrupt.")]
        public string Study { get; init; } = "";

    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Logging.Configure(StoreSettings.LogFolder(StoreOptions.Resolve(null, Directory.GetCurrentDirectory())), settings.LogJson, LogEventLevel.Information, client: true);
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
            var done = progress.Completed + progress.Diverged + progress.Stalled + progress.Failed;
            Log.Information("Study {Study} is {Phase}: {Done}/{Total} done, {Pending} pending; continue it with: sweepcluster resume {Study} --cluster {Cluster}",
                settings.Study, progress.Phase.ToString().ToLowerInvariant(), done, progress.Total, progress.Pending, settings.Study, settings.Cluster);
            return ExitCodes.Success;
        }
        finally
        {
            await Logging.CloseAsync();
        }
    }
}
