using System.Globalization;
using Spectre.Console;
using SweepCluster.Query.Results;

namespace SweepCluster.Cli.Commands;

/// <summary>A results table on the terminal (its CSV and JSON forms are <see cref="ResultsFormats"/>).</summary>
internal static class ResultsOutput
{
    public static void WriteTable(ResultsTable table, string at)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 240;
        }
        var pruned = table.Groups.Any(g => g.Pruned > 0);
        // A pruned trial's last checkpoint is where the scheduler stopped it, not the end of training.
        var point = pruned && at == "final" ? "final (each trial's last checkpoint: a pruned trial's is where it was stopped)" : at;
        var grid = new Table().Title(Markup.Escape($"{table.StudyId}: at {point}, mean ± std over seeds [min, max]"));
        foreach (var key in table.GroupBy)
        {
            grid.AddColumn(Markup.Escape(key));
        }
        grid.AddColumn("trials");
        // Counts that are zero everywhere take no room; diverged and stalled trials are left out of the metrics.
        var counts = new (string Name, Func<ResultGroup, int> Count)[] { ("pruned", g => g.Pruned), ("diverged", g => g.Diverged), ("stalled", g => g.Stalled) }
            .Where(c => table.Groups.Any(g => c.Count(g) > 0)).ToList();
        foreach (var (name, _) in counts)
        {
            grid.AddColumn(name);
        }
        foreach (var metric in table.Metrics)
        {
            grid.AddColumn(new TableColumn(Markup.Escape(metric)).RightAligned());
        }
        foreach (var group in table.Groups)
        {
            var cells = group.Key.Select(k => k.IsMissing ? "-" : Markup.Escape(k.Text)).Append($"{group.Trials}")
                .Concat(counts.Select(c => $"{c.Count(group)}"))
                .Concat(table.Metrics.Select(m => Markup.Escape(Cell(group.Metrics[m]))));
            grid.AddRow(cells.ToArray());
        }
        console.Write(grid);
    }

    private static string Cell(MetricSummary s) => s.Count == 0 ? "-"
        : s.Std is { } std ? string.Create(CultureInfo.InvariantCulture, $"{s.Mean:G4} ± {std:G2} [{s.Min:G4}, {s.Max:G4}]")
        : string.Create(CultureInfo.InvariantCulture, $"{s.Mean:G4}");
}
