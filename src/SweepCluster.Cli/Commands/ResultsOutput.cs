using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using SweepCluster.Query.Curves;
using SweepCluster.Query.Results;

namespace SweepCluster.Cli.Commands;

/// <summary>The three forms of a results table. CSV and JSON are stable: scripts depend on their columns and keys.</summary>
internal static class ResultsOutput
{
    private static readonly string[] Statistics = ["mean", "std", "min", "max", "count"];

    /// <summary>One row per group: the group keys, trials, then metric_mean, metric_std, metric_min, metric_max, metric_count per metric, then pruned.</summary>
    public static void WriteCsv(ResultsTable table, TextWriter output)
    {
        var header = table.GroupBy.Append("trials").Concat(table.Metrics.SelectMany(m => Statistics.Select(s => $"{m}_{s}"))).Append("pruned");
        output.Write(string.Join(",", header.Select(CsvCurveWriter.Escape)) + "\n");
        foreach (var group in table.Groups)
        {
            var cells = group.Key.Select(k => CsvCurveWriter.Escape(k.Text)).Append(group.Trials.ToString(CultureInfo.InvariantCulture))
                .Concat(table.Metrics.SelectMany(m => Cells(group.Metrics[m])))
                .Append(group.Pruned.ToString(CultureInfo.InvariantCulture));
            output.Write(string.Join(",", cells) + "\n");
        }
        output.Flush();
    }

    public static void WriteJson(ResultsTable table, string at, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("study_id", table.StudyId);
        json.WriteString("at", at);
        json.WriteStartArray("group_by");
        foreach (var key in table.GroupBy)
        {
            json.WriteStringValue(key);
        }
        json.WriteEndArray();
        json.WriteStartArray("groups");
        foreach (var group in table.Groups)
        {
            json.WriteStartObject();
            json.WriteStartObject("key");
            for (var i = 0; i < table.GroupBy.Count; i++)
            {
                if (group.Key[i].Number is { } number)
                {
                    json.WriteNumber(table.GroupBy[i], number);
                }
                else if (group.Key[i].IsMissing)
                {
                    json.WriteNull(table.GroupBy[i]);
                }
                else
                {
                    json.WriteString(table.GroupBy[i], group.Key[i].Text);
                }
            }
            json.WriteEndObject();
            json.WriteNumber("trials", group.Trials);
            json.WriteNumber("pruned", group.Pruned);
            json.WriteStartObject("metrics");
            foreach (var metric in table.Metrics)
            {
                var s = group.Metrics[metric];
                json.WriteStartObject(metric);
                Number(json, "mean", s.Mean);
                Number(json, "std", s.Std);
                Number(json, "min", s.Min);
                Number(json, "max", s.Max);
                json.WriteNumber("count", s.Count);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.Write("\n"u8);
        output.Flush();
    }

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
        if (pruned)
        {
            grid.AddColumn("pruned");
        }
        foreach (var metric in table.Metrics)
        {
            grid.AddColumn(new TableColumn(Markup.Escape(metric)).RightAligned());
        }
        foreach (var group in table.Groups)
        {
            var cells = group.Key.Select(k => k.IsMissing ? "-" : Markup.Escape(k.Text)).Append($"{group.Trials}")
                .Concat(pruned ? [$"{group.Pruned}"] : [])
                .Concat(table.Metrics.Select(m => Markup.Escape(Cell(group.Metrics[m]))));
            grid.AddRow(cells.ToArray());
        }
        console.Write(grid);
    }

    private static IEnumerable<string> Cells(MetricSummary s) =>
        [Format(s.Mean), Format(s.Std), Format(s.Min), Format(s.Max), s.Count.ToString(CultureInfo.InvariantCulture)];

    private static string Format(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    private static string Cell(MetricSummary s) => s.Count == 0 ? "-"
        : s.Std is { } std ? string.Create(CultureInfo.InvariantCulture, $"{s.Mean:G4} ± {std:G2} [{s.Min:G4}, {s.Max:G4}]")
        : string.Create(CultureInfo.InvariantCulture, $"{s.Mean:G4}");

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
