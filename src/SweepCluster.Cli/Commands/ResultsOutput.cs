using System.Globalization;
using SweepCluster.Cli.Terminal;
using SweepCluster.Query.Results;

namespace SweepCluster.Cli.Commands;

/// <summary>A results table on the terminal (its CSV and JSON forms are <see cref="ResultsFormats"/>).</summary>
internal static class ResultsOutput
{
    public static void WriteTable(ResultsTable table, string at)
    {
        var pruned = table.Groups.Any(g => g.Pruned > 0);
        // A pruned trial's last checkpoint is where the scheduler stopped it, not the end of training.
        var point = pruned && at == "final" ? "final (each trial's last checkpoint: a pruned trial's is where it was stopped)"
            : at == "fit" ? "fit (each trial's first checkpoint with every training point fit: at or after the first fit step the run's summary averages)"
            : at.StartsWith("loss=", StringComparison.Ordinal) ? $"{at} (each trial's first checkpoint with the loss at most {at[5..]})"
            : at;
        var grid = new FittedTable($"{table.StudyId}: at {point}, mean ± std over seeds [min, max]", table.GroupBy);
        grid.AddColumn("trials", rightAligned: true);
        // Counts that are zero everywhere take no room; diverged and stalled trials are left out of the metrics.
        var counts = new (string Name, Func<ResultGroup, int> Count)[] { ("pruned", g => g.Pruned), ("diverged", g => g.Diverged), ("stalled", g => g.Stalled), ("not reached", g => g.NotReached) }
            .Where(c => table.Groups.Any(g => c.Count(g) > 0)).ToList();
        foreach (var (name, _) in counts)
        {
            grid.AddColumn(name, rightAligned: true);
        }
        foreach (var metric in table.Metrics)
        {
            grid.AddColumn(metric, rightAligned: true);
        }
        foreach (var group in table.Groups)
        {
            grid.AddRow(group.Key.Select(k => k.IsMissing ? "-" : k.Text).Append($"{group.Trials}")
                .Concat(counts.Select(c => $"{c.Count(group)}"))
                .Concat(table.Metrics.Select(m => Cell(group.Metrics[m]))));
        }
        grid.Write(TerminalWidth.Console());
        if (table.NotReached is { Count: > 0 } ids)
        {
            Console.WriteLine($"not reached (no checkpoint with the loss at most {at[5..]}, left out of the metrics): {string.Join(", ", ids)}");
        }
    }

    private static string Cell(MetricSummary s) => s.Count == 0 ? "-"
        : s.Std is { } std ? string.Create(CultureInfo.InvariantCulture, $"{s.Mean:G4} ± {std:G2} [{s.Min:G4}, {s.Max:G4}]")
        : string.Create(CultureInfo.InvariantCulture, $"{s.Mean:G4}");
}
