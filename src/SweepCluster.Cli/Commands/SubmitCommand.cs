using System.ComponentModel;
using Serilog;
using Serilog.Events;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Cli.Commands;

public sealed class SubmitCommand : AsyncCommand<SubmitCommand.Settings>
{
    public sealed class Settings : CommandSettings, IClusterClientOptions
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The sweep file.")]
        public string File { get; init; } = "";

        [CommandOption("--cluster <HOST:PORT>")]
        [Description("A node of the running cluster (a seed).")]
        public string? Cluster { get; init; }

        [CommandOption("--host <HOST>")]
        [Description("The address this client binds (default 127.0.0.1; with --public-host, 0.0.0.0).")]
        public string? Host { get; init; }

        [CommandOption("--public-host <HOST>")]
        [Description("The address the cluster reaches this client at, when the cluster is on another machine.")]
        public string? PublicHost { get; init; }

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
            await Log.CloseAndFlushAsync();
        }
    }
}
