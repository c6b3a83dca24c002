using System.ComponentModel;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Protocol;
using SweepCluster.Trials;
using SweepCluster.Web;

namespace SweepCluster.Cli.Commands;

public sealed class RunCommand : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : TrainingStoreSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The sweep file (sweeps/*.yaml).")]
        public string File { get; init; } = "";

        [CommandOption("--slots <N>")]
        [Description("Trainings at once, each on its own thread with its trial's torch threads (default: the number of cores).")]
        public int? Slots { get; init; }

        [CommandOption("--dashboard [PORT]")]
        [Description("Serve the dashboard on 127.0.0.1 while the study runs, on PORT (default 8080). It stops with the run.")]
        public FlagValue<int>? Dashboard { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Slots is <= 0 ? Spectre.Console.ValidationResult.Error($"--slots must be at least 1, found {Slots}")
            : Dashboard is { IsSet: true, Value: < 0 or > 65535 } d ? Spectre.Console.ValidationResult.Error($"--dashboard {d.Value}: expected a port from 1 to 65535")
            : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var sweep = SweepValidation.Load(settings.File);
        var store = settings.ResolveStore();
        Logging.Configure(StoreSettings.LogFolder(store), settings.LogJson, StudyFollower.Interactive ? LogEventLevel.Warning : LogEventLevel.Information);
        try
        {
            var slots = settings.Slots ?? Environment.ProcessorCount;
            Log.Information("Running study {Study} ({Trials}) on {Slots}, store {Store}", sweep.Study, Counted.Of(sweep.Trials.Count, "trial"), Counted.Of(slots, "local slot"), store.Display);
            await using var node = await EmbeddedNode.StartAsync(store, slots, settings.SaveStateInterval, cancellationToken);
            await using var dashboard = settings.Dashboard is { IsSet: true } port
                ? await LiveDashboard.StartAsync(store, port.Value is 0 ? DashboardSettings.DefaultPort : port.Value, cancellationToken)
                : null;
            if (await StudySubmission.SubmitAsync(node, sweep, cancellationToken) is { } refused)
            {
                return refused;
            }
            return await FollowedRun.FollowAsync(node, sweep.Study, OnCancel.Interrupt, cancellationToken);
        }
        finally
        {
            await Logging.CloseAsync();
        }
    }
}
