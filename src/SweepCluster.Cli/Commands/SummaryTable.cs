using Spectre.Console;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

internal static class SummaryTable
{
    public static Table BestMargins(StudyProgress s)
    {
        var table = new Table().Border(TableBorder.Simple).Title("best current margin per algorithm");
        table.AddColumns(["algorithm", .. MetricRegistry.Summarized.Select(m => m.Name)]);
        foreach (var b in s.Algorithms)
        {
            table.AddRow([b.Algorithm.ToString().ToLowerInvariant(), .. MetricRegistry.Summarized.Select(m => Number(b.Best.GetValueOrDefault(m.Name)))]);
        }
        return table;
    }

    /// <summary>The end-of-run summary: per algorithm, how the trials ended and the mean final margins of those that completed (a pruned trial's are not final).</summary>
    public static Table Final(StudyProgress s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(s.StudyId)}: {s.Phase.ToString().ToLowerInvariant()}");
        var stalled = s.Stalled > 0;
        table.AddColumns(["algorithm", "trials", "completed", "diverged", .. stalled ? ["stalled"] : Array.Empty<string>(), "failed", "pruned", "pending", .. MetricRegistry.Summarized.Select(m => $"mean {m.Name}"), "mean first fit step"]);
        foreach (var a in s.Algorithms)
        {
            table.AddRow([
                a.Algorithm.ToString().ToLowerInvariant(),
                $"{a.Trials}",
                $"{a.Completed}",
                $"{a.Diverged}",
                .. stalled ? [$"{a.Stalled}"] : Array.Empty<string>(),
                $"{a.Failed}",
                $"{a.Pruned}",
                $"{a.Unfinished}",
                .. MetricRegistry.Summarized.Select(m => Number(a.Means.GetValueOrDefault(m.Name))),
                Number(a.MeanFirstFitStep)]);
        }
        return table;
    }

    private static string Number(double? value) => value is null ? "-" : value.Value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
