using System.ComponentModel;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Protocol;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Work;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

public sealed class SubmitCommand : AsyncCommand<SubmitCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The sweep file.")]
        public string File { get; init; } = "";

        [CommandOption("--cluster <HOST:PORT>")]
        [Description("A node of the running cluster (a seed).")]
        public string Cluster { get; init; } = "";

        [CommandOption("--detach")]
        [Description("Return once the study is submitted instead of following it to the end.")]
        public bool Detach { get; init; }

        [CommandOption("--log-json")]
        [Description("Write logs as compact JSON.")]
        public bool LogJson { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Cluster) ? Spectre.Console.ValidationResult.Error("--cluster HOST:PORT is required") : Spectre.Console.ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var sweep = SweepValidation.Load(settings.File);
        Logging.Configure(StoreSettings.LogFolder(StoreOptions.Resolve(null, Directory.GetCurrentDirectory())), settings.LogJson, StudyFollower.Interactive ? LogEventLevel.Warning : LogEventLevel.Information);
        try
        {
            // A client node: no role, no store; it reaches the coordinators through a shard region proxy.
            var options = new NodeOptions(["client"], "127.0.0.1", 0, null, [NodeCommand.SeedAddress(settings.Cluster)], 0, null, TimeSpan.FromMinutes(1), new EngineTrialExecutor());
            await using var node = await ClusterNode.StartAsync(options, TimeSpan.FromSeconds(60), cancellation: cancellationToken);
            if (await StudySubmission.SubmitAsync(node, sweep, cancellationToken) is { } refused)
            {
                return refused;
            }
            if (settings.Detach)
            {
                return ExitCodes.Success;
            }
            return await FollowedRun.FollowAsync(node, sweep.Study, cancellationToken);
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }
}
