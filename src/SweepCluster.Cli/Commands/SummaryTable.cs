using Spectre.Console;
using SweepCluster.Cluster.Study;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

internal static class SummaryTable
{
    public static Table BestMargins(StudyStatus s)
    {
        var table = new Table().Border(TableBorder.Simple).Title("best current margin per algorithm");
        table.AddColumns("algorithm", "margin_l1", "margin_l2", "margin_linf");
        foreach (var b in s.Best)
        {
            table.AddRow(b.Algorithm.ToString().ToLowerInvariant(), Number(b.MarginL1), Number(b.MarginL2), Number(b.MarginLinf));
        }
        return table;
    }

    /// <summary>The end-of-run summary: per algorithm, how the trials ended and their mean final margins.</summary>
    public static Table Final(StudyStatus s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(s.StudyId)}: {s.Phase.ToString().ToLowerInvariant()}");
        table.AddColumns("algorithm", "trials", "completed", "diverged", "failed", "pending", "mean margin_l1", "mean margin_l2", "mean margin_linf", "mean first fit step");
        foreach (var group in s.Trials.GroupBy(t => t.Algorithm).OrderBy(g => g.Key))
        {
            var done = group.Where(t => t.Status == TrialStatus.Completed && t.End != TrialEnd.Diverged).ToList();
            table.AddRow(
                group.Key.ToString().ToLowerInvariant(),
                $"{group.Count()}",
                $"{done.Count}",
                $"{group.Count(t => t.End == TrialEnd.Diverged)}",
                $"{group.Count(t => t.Status == TrialStatus.Failed)}",
                $"{group.Count(t => t.Status is TrialStatus.Pending or TrialStatus.Running)}",
                Number(Mean(done.Select(t => t.Latest?.MarginL1))),
                Number(Mean(done.Select(t => t.Latest?.MarginL2))),
                Number(Mean(done.Select(t => t.Latest?.MarginLinf))),
                Number(Mean(done.Select(t => (double?)t.FirstFitStep))));
        }
        return table;
    }

    private static double? Mean(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : present.Average();
    }

    private static string Number(double? value) => value is null ? "-" : value.Value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
}
