using System.ComponentModel;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Storage;
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
        switch (await StoreInspection.InspectAsync(store, cancellationToken))
        {
            case StoreContents.Missing or StoreContents.Empty:
                CliErrors.Error($"{store.Display}: no SweepCluster journal here, so nothing to project");
                return ExitCodes.StoreUnavailable;
            case StoreContents.Foreign:
                throw StoreInspection.NotOurs(store);
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
