using System.ComponentModel;
using Spectre.Console.Cli;
using SweepCluster.Query.Projection;

namespace SweepCluster.Cli.Commands;

public sealed class ProjectCommand : AsyncCommand<ProjectCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandOption("--rebuild")]
        [Description("Empty the query tables and project the whole journal again.")]
        public bool Rebuild { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = settings.ResolveStore();
        if (!store.MayHoldStudies)
        {
            CliErrors.Error($"{store.Display}: no store here");
            return ExitCodes.InvalidInput;
        }
        if (settings.Rebuild)
        {
            var offset = await ReadModelSync.RebuildAsync(store, cancellationToken);
            Console.Error.WriteLine($"read model rebuilt from the journal of {store.Display}, up to offset {offset}");
        }
        else
        {
            await ReadModelSync.EnsureCurrentAsync(store, cancellationToken);
            Console.Error.WriteLine($"read model of {store.Display} is up to date");
        }
        return ExitCodes.Success;
    }
}
