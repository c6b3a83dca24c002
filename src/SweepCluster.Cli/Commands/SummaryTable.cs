using Spectre.Console;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

internal static class SummaryTable
{
    public static Table BestMargins(StudyProgress s)
    {
        var table = new Table().Border(TableBorder.Simple).Title("best current margin per algorithm");
        table.AddColumns("algorithm", "margin_l1", "margin_l2", "margin_linf");
        foreach (var b in s.Algorithms)
        {
            table.AddRow(b.Algorithm.ToString().ToLowerInvariant(), Number(b.BestMarginL1), Number(b.BestMarginL2), Number(b.BestMarginLinf));
        }
        return table;
    }

    /// <summary>The end-of-run summary: per algorithm, how the trials ended and the mean final margins of those that completed (a pruned trial's are not final).</summary>
    public static Table Final(StudyProgress s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(s.StudyId)}: {s.Phase.ToString().ToLowerInvariant()}");
        table.AddColumns("algorithm", "trials", "completed", "diverged", "failed", "pruned", "pending", "mean margin_l1", "mean margin_l2", "mean margin_linf", "mean first fit step");
        foreach (var a in s.Algorithms)
        {
            table.AddRow(
                a.Algorithm.ToString().ToLowerInvariant(),
                $"{a.Trials}",
                $"{a.Completed}",
                $"{a.Diverged}",
                $"{a.Failed}",
                $"{a.Pruned}",
                $"{a.Unfinished}",
                Number(a.MeanMarginL1),
                Number(a.MeanMarginL2),
                Number(a.MeanMarginLinf),
                Number(a.MeanFirstFitStep));
        }
        return table;
    }

    private static string Number(double? value) => value is null ? "-" : value.Value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
