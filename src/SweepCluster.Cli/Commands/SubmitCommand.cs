using System.ComponentModel;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Cli.Commands;

public sealed class SubmitCommand : AsyncCommand<SubmitCommand.Settings>
{
    public sealed class Settings : ClusterClientSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The sweep file.")]
        public string File { get; init; } = "";

        [CommandOption("--detach")]
        [Description("Return once the study is submitted instead of following it to the end.")]
        public bool Detach { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var sweep = SweepValidation.Load(settings.File, forCluster: true);
        Logging.Configure(StoreSettings.LogFolder(StoreOptions.Resolve(null, Directory.GetCurrentDirectory())), settings.LogJson, StudyFollower.Interactive ? LogEventLevel.Warning : LogEventLevel.Information, client: true);
        try
        {
            await using var node = await ClusterClient.ConnectAsync(settings, cancellationToken);
            if (await StudySubmission.SubmitAsync(node, sweep, cancellationToken) is { } refused)
            {
                return refused;
            }
            if (settings.Detach)
            {
                return ExitCodes.Success;
            }
            // Ctrl+C or SIGTERM stops following; the study goes on in the cluster.
            return await FollowedRun.FollowAsync(node, sweep.Study, OnCancel.Detach, cancellationToken);
        }
        finally
        {
            await Logging.CloseAsync();
        }
    }
}
