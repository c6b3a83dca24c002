using System.ComponentModel;
using Spectre.Console.Cli;
using SweepCluster.Query;
using SweepCluster.Query.Results;

namespace SweepCluster.Cli.Commands;

public sealed class ResultsCommand : AsyncCommand<ResultsCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<STUDY>")]
        [Description("The study to aggregate (the name in its sweep file; `sweepcluster status` lists them).")]
        public string Study { get; init; } = "";

        [CommandOption("--group-by <KEYS>")]
        [Description("Comma-separated trial keys to group by (e.g. algorithm,lr or model.width). Default: the swept keys except seed, without keys the others determine.")]
        public string[]? GroupBy { get; init; }

        [CommandOption("--metric <NAMES>")]
        [Description("Comma-separated checkpoint fields (default margin_l1,margin_l2,margin_linf,loss,train_accuracy).")]
        public string[]? Metrics { get; init; }

        [CommandOption("--where <KEY=VALUE>")]
        [Description("Only trials whose key has this value: KEY=VALUE, KEY!=VALUE, or a range on a number (lr<0.02, steps>=1000); numbers compare as numbers, text in any case. Repeat for several conditions, all of which must hold.")]
        public string[]? Where { get; init; }

        [CommandOption("--at <POINT>")]
        [Description("final (each trial's last checkpoint, the default), step=N, fit (its first checkpoint at 100% training accuracy), or loss=X (its first checkpoint with the loss at most X: trials that never get there are counted as not reached and named).")]
        public string? At { get; init; }

        [CommandOption("--best <METRIC>")]
        [Description("Only the configuration with the best mean of this metric (largest; smallest for loss and wall_ms).")]
        public string? Best { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("table (default), csv or json.")]
        public string Format { get; init; } = "table";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Format is not ("table" or "csv" or "json"))
        {
            throw new QueryException($"--format '{settings.Format}': expected table, csv or json");
        }
        var at = CheckpointAtOption.Parse(settings.At);
        var metrics = QueryStore.List(settings.Metrics) is { Count: > 0 } chosen ? chosen : [.. ResultsQuery.DefaultMetrics];
        if (settings.Best is { } best && !metrics.Contains(best))
        {
            metrics.Insert(0, best);
        }
        var groupBy = QueryStore.List(settings.GroupBy);
        var request = new ResultsRequest(settings.Study, at, groupBy.Count > 0 ? groupBy : null, metrics,
            (settings.Where ?? []).Select(Filter.Parse).ToList(), settings.Best);
        var reader = await QueryStore.OpenAsync(settings, settings.Study, cancellationToken);
        var table = await new ResultsQuery(reader).RunAsync(request, cancellationToken);
        switch (settings.Format)
        {
            case "csv":
                ResultsFormats.WriteCsv(table, Console.Out);
                break;
            case "json":
                ResultsFormats.WriteJson(table, settings.At ?? "final", Console.OpenStandardOutput());
                break;
            default:
                ResultsOutput.WriteTable(table, settings.At ?? "final");
                break;
        }
        return ExitCodes.Success;
    }
}
