using Spectre.Console;
using Spectre.Console.Rendering;
using SweepCluster.Cli.Terminal;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Study;

namespace SweepCluster.Cli.Commands;

internal static class SummaryTable
{
    public static IRenderable BestMargins(StudyProgress s, int width)
    {
        var table = new FittedTable("best current margin per algorithm (diverged and stalled trials left out)", ["algorithm"]);
        foreach (var m in MetricRegistry.Summarized)
        {
            table.AddColumn(m.Name, rightAligned: true);
        }
        foreach (var b in s.Algorithms)
        {
            table.AddRow([b.Algorithm.ToString().ToLowerInvariant(), .. MetricRegistry.Summarized.Select(m => Number(b.Best.GetValueOrDefault(m.Name)))]);
        }
        return table.Render(width, TableBorder.Simple);
    }

    /// <summary>The end-of-run summary: per algorithm, how the trials ended and the mean final margins of those that completed (a pruned trial's are not final).</summary>
    public static FittedTable Final(StudyProgress s)
    {
        var table = new FittedTable($"{s.StudyId}: {s.Phase.ToString().ToLowerInvariant()}", ["algorithm"]);
        var stalled = s.Stalled > 0;
        foreach (var count in (string[])["trials", "completed", "diverged", .. stalled ? ["stalled"] : Array.Empty<string>(), "failed", "pruned", "pending"])
        {
            table.AddColumn(count, rightAligned: true);
        }
        foreach (var m in MetricRegistry.Summarized)
        {
            table.AddColumn($"mean {m.Name}", rightAligned: true);
        }
        table.AddColumn("mean first fit step", rightAligned: true);
        // The two disagree by up to checkpoint_every, which would look like an error if not said.
        table.Footnote = "first fit step: the first step with every training point fit, checked at every step; `results --at fit` reads the first checkpoint at or after it.";
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
