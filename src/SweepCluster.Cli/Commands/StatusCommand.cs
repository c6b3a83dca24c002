using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using SweepCluster.Cli.Terminal;
using Spectre.Console.Cli;
using SweepCluster.Query.Projection;
using SweepCluster.Query.ReadModel;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Study;
using SweepCluster.Query.Results;
using System.Globalization;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

public sealed class StatusCommand : AsyncCommand<StatusCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "[STUDY]")]
        [Description("A study: list its trials. Without it, every study with its trial counts by state.")]
        public string? Study { get; init; }

        [CommandOption("--json")]
        [Description("Print JSON instead of a table.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = settings.ResolveStore();
        if (await QueryStore.ReadyAsync(store, cancellationToken) is not { } readable)
        {
            if (settings.Study is not null)
            {
                CliErrors.Error($"{store.Display}: no store here, so no study {settings.Study}");
                return ExitCodes.InvalidInput;
            }
            Console.WriteLine(settings.Json ? "[]" : $"No studies in {store.Display} yet.");
            return ExitCodes.Success;
        }
        var reader = new ReadModelReader(readable);
        var rows = await reader.StudiesAsync(settings.Study, cancellationToken);
        if (settings.Study is not null && rows.Count == 0)
        {
            CliErrors.Error($"{store.Display}: {UnknownStudy.Message(settings.Study, (await reader.StudiesAsync(null, cancellationToken)).Select(r => r.StudyId).ToList())}");
            return ExitCodes.InvalidInput;
        }
        var console = TerminalWidth.Console();
        if (settings.Study is not null && !settings.Json)
        {
            (await TrialTableAsync(reader, rows[0], cancellationToken)).Write(console);
            return ExitCodes.Success;
        }
        var studies = new List<StudyStatus>();
        foreach (var row in rows)
        {
            studies.Add(await reader.StatusAsync(row, cancellationToken));
        }
        if (settings.Json)
        {
            Console.WriteLine(settings.Study is null ? JsonSerializer.Serialize(studies, TrialJson.Indented) : JsonSerializer.Serialize(studies[0], TrialJson.Indented));
            return ExitCodes.Success;
        }
        var stalled = studies.Any(s => s.Stalled > 0);
        var table = new FittedTable(null, ["study"]).AddColumn("phase");
        foreach (var count in (string[])["trials", "pending", "running", "completed", "diverged", .. stalled ? ["stalled"] : Array.Empty<string>(), "failed", "pruned"])
        {
            table.AddColumn(count, rightAligned: true);
        }
        table.AddColumn("created");
        foreach (var s in studies)
        {
            table.AddRow([s.StudyId, s.Phase.ToString().ToLowerInvariant(), $"{s.Total}", $"{s.Pending}", $"{s.Running}", $"{s.Completed}", $"{s.Diverged}",
                .. stalled ? [$"{s.Stalled}"] : Array.Empty<string>(), $"{s.Failed}", $"{s.Pruned}", $"{s.CreatedAt:u}"]);
        }
        table.Write(console, TableBorder.Square);
        return ExitCodes.Success;
    }

    /// <summary>One study's trials, with the keys it sweeps: they tell trials apart (a width axis, say) where algorithm, lr and seed alone may not.</summary>
    private static async Task<FittedTable> TrialTableAsync(ReadModelReader reader, StudyRow study, CancellationToken cancellation)
    {
        var swept = await StudyTrials.LoadAsync(reader, study.StudyId, cancellation);
        var keys = swept.Parameters.Varying();
        var table = new FittedTable($"{study.StudyId} ({study.Phase.ToString().ToLowerInvariant()})", ["trial"]);
        foreach (var key in keys)
        {
            table.AddColumn(key);
        }
        table.AddColumn("state").AddColumn("attempt", rightAligned: true).AddColumn("progress", rightAligned: true);
        foreach (var m in MetricRegistry.Summarized)
        {
            table.AddColumn(m.Name, rightAligned: true);
        }
        table.AddColumn("reason", wrappable: true);
        for (var i = 0; i < swept.Trials.Count; i++)
        {
            var t = swept.Trials[i].Summary();
            table.AddRow([
                t.TrialId, .. swept.Values(i, keys).Select(v => v.Text), State(t), $"{t.Attempt}", $"{Math.Max(t.LastStep, 0)}/{t.Steps}",
                .. MetricRegistry.Summarized.Select(m => t.Latest is { } c && m.Finite(c) is { } v ? v.ToString("G4", CultureInfo.InvariantCulture) : "-"),
                t.Reason ?? ""]);
        }
        return table;
    }

    /// <summary>A trial's state as a researcher reads it: diverged is not "completed", and a pending trial that has made progress was interrupted.</summary>
    private static string State(TrialSummary t) => t switch
    {
        { Status: TrialStatus.Completed, End: { } end and not (TrialEnd.Completed or TrialEnd.Diverged or TrialEnd.Stalled) } => $"completed ({System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(end.ToString())})",
        { Status: TrialStatus.Pending, LastStep: >= 0 } => "interrupted",
        _ => TrialState.Of(t.Status, t.End),
    };
}
