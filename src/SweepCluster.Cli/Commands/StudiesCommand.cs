using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using SweepCluster.Cli.Terminal;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Query;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

/// <summary>The studies in a store, each with its best configuration: the one whose seeds have the best mean final value of a metric.</summary>
public sealed class StudiesCommand : AsyncCommand<StudiesCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandOption("--metric <NAME>")]
        [Description("The metric that ranks configurations (default margin_l2): the best mean over seeds of its final value, largest (smallest for loss and wall_ms).")]
        public string Metric { get; init; } = "margin_l2";

        [CommandOption("--json")]
        [Description("Print JSON instead of a table.")]
        public bool Json { get; init; }
    }

    /// <summary>One study with its best configuration by the metric (none while no trial has a final value).</summary>
    public sealed record Listed(string Study, string Phase, int Trials, int Completed, DateTimeOffset? Created, string Metric, double? BestMean, double? BestStd, int? BestSeeds, IReadOnlyDictionary<string, string>? BestConfiguration);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!MetricRegistry.Names.Contains(settings.Metric))
        {
            throw new QueryException($"--metric '{settings.Metric}': not a metric; the metrics are {string.Join(", ", MetricRegistry.Names)}");
        }
        var store = settings.ResolveStore();
        if (await QueryStore.ReadyAsync(store, cancellationToken) is not { } readable)
        {
            Console.WriteLine(settings.Json ? "[]" : $"No studies in {store.Display} yet.");
            return ExitCodes.Success;
        }
        var reader = new ReadModelReader(readable);
        var counts = await reader.CountsAsync(null, cancellationToken);
        var listed = new List<Listed>();
        foreach (var study in await reader.StudiesAsync(null, cancellationToken))
        {
            var count = counts.GetValueOrDefault(study.StudyId, StudyCounts.None);
            var best = await BestGroupAsync(reader, study.StudyId, settings.Metric, cancellationToken);
            var summary = best?.Group.Metrics[settings.Metric];
            listed.Add(new Listed(study.StudyId, study.Phase.ToString().ToLowerInvariant(), count.Trials, count.Completed, study.CreatedAt, settings.Metric,
                summary?.Mean, summary?.Std, summary?.Count,
                best is { } b ? b.GroupBy.Zip(b.Group.Key, (key, value) => (key, value)).ToDictionary(p => p.key, p => p.value.IsMissing ? "-" : p.value.Text) : null));
        }
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(listed, TrialJson.Indented));
            return ExitCodes.Success;
        }
        var table = new FittedTable(null, ["study"]).AddColumn("phase").AddColumn("trials", rightAligned: true).AddColumn("completed", rightAligned: true)
            .AddColumn($"best {settings.Metric}", rightAligned: true).AddColumn("seeds", rightAligned: true).AddColumn("configuration", wrappable: true);
        foreach (var s in listed)
        {
            table.AddRow([s.Study, s.Phase, $"{s.Trials}", $"{s.Completed}",
                s.BestMean is { } mean ? (s.BestStd is { } std ? string.Create(CultureInfo.InvariantCulture, $"{mean:G4} ± {std:G2}") : mean.ToString("G4", CultureInfo.InvariantCulture)) : "-",
                s.BestSeeds is { } seeds ? $"{seeds}" : "-",
                s.BestConfiguration is { } config ? string.Join(" ", config.Select(p => $"{p.Key}={p.Value}")) : "-"]);
        }
        table.Write(TerminalWidth.Console(), TableBorder.Square);
        return ExitCodes.Success;
    }

    /// <summary>The best configuration's group, or null while the study has no final value of the metric.</summary>
    private static async Task<(ResultGroup Group, IReadOnlyList<string> GroupBy)?> BestGroupAsync(ReadModelReader reader, string study, string metric, CancellationToken cancellation)
    {
        try
        {
            var table = await new ResultsQuery(reader).RunAsync(new ResultsRequest(study, new CheckpointAt.Last(), null, [metric], [], metric), cancellation);
            return table.Groups.Count == 0 || table.Groups[0].Metrics[metric].Count == 0 ? null : (table.Groups[0], table.GroupBy);
        }
        catch (QueryException)
        {
            // No trial has a value yet (a study just submitted): nothing to rank.
            return null;
        }
    }
}
