using System.Globalization;
using System.Text.Json;
using SweepCluster.Query.Curves;

namespace SweepCluster.Query.Results;

/// <summary>The machine-readable forms of a results table. They are stable: scripts depend on their columns and keys.</summary>
public static class ResultsFormats
{
    private static readonly string[] Statistics = ["mean", "std", "min", "max", "count"];

    /// <summary>One row per group: the group keys, trials, then metric_mean, metric_std, metric_min, metric_max, metric_count per metric, then pruned, diverged and stalled (and not_reached at a loss).</summary>
    public static void WriteCsv(ResultsTable table, TextWriter output)
    {
        // not_reached only where it means something (--at loss=X), so existing scripts see the columns they know.
        var atLoss = table.NotReached is not null;
        var header = table.GroupBy.Append("trials").Concat(table.Metrics.SelectMany(m => Statistics.Select(s => $"{m}_{s}"))).Concat(["pruned", "diverged", "stalled"])
            .Concat(atLoss ? ["not_reached"] : []);
        output.Write(string.Join(",", header.Select(CsvCurveWriter.Escape)) + "\n");
        foreach (var group in table.Groups)
        {
            var cells = group.Key.Select(k => CsvCurveWriter.Escape(k.Text)).Append(group.Trials.ToString(CultureInfo.InvariantCulture))
                .Concat(table.Metrics.SelectMany(m => Cells(group.Metrics[m])))
                .Concat(new[] { group.Pruned, group.Diverged, group.Stalled }.Concat(atLoss ? [group.NotReached] : []).Select(n => n.ToString(CultureInfo.InvariantCulture)));
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
            json.WriteNumber("diverged", group.Diverged);
            json.WriteNumber("stalled", group.Stalled);
            if (table.NotReached is not null)
            {
                json.WriteNumber("not_reached", group.NotReached);
            }
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
        if (table.NotReached is { } ids)
        {
            json.WriteStartArray("not_reached");
            foreach (var id in ids)
            {
                json.WriteStringValue(id);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.Flush();
        output.Write("\n"u8);
        output.Flush();
    }

    private static IEnumerable<string> Cells(MetricSummary s) =>
        [Format(s.Mean), Format(s.Std), Format(s.Min), Format(s.Max), s.Count.ToString(CultureInfo.InvariantCulture)];

    private static string Format(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

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
