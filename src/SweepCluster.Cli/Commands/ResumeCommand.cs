using System.ComponentModel;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Protocol;

namespace SweepCluster.Cli.Commands;

public sealed class ResumeCommand : AsyncCommand<ResumeCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<STUDY>")]
        [Description("The study to continue: completed trials are not run again, interrupted ones continue from their saved state.")]
        public string Study { get; init; } = "";

        [CommandOption("--slots <N>")]
        [Description("Trainings at once (default: the number of cores).")]
        public int? Slots { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
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
            if (await node.AskAsync(new ResumeStudy(settings.Study), TimeSpan.FromMinutes(2), cancellationToken) is UnknownStudy)
            {
                CliErrors.Error($"{store.Display}: there is no study {settings.Study}");
                return ExitCodes.InvalidInput;
            }
            Log.Information("Resuming study {Study}", settings.Study);
            return await FollowedRun.FollowAsync(node, settings.Study, cancellationToken);
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
