namespace SweepCluster.Query.Plots;

/// <summary>
/// A group's curve: at each step, the mean and sample standard deviation over its trials that have a value
/// there. <see cref="Pruned"/> of its trials were stopped early by the study's scheduler: past the step they
/// stopped at, the band holds only the others (or ends).
/// </summary>
public sealed record CurveBand(string Label, double[] Steps, double[] Mean, double[] Std, int Trials, int Pruned = 0)
{
    public static CurveBand From(string label, IReadOnlyList<IReadOnlyList<(long Step, double? Value)>> trials, int pruned = 0)
    {
        var byStep = trials.SelectMany(t => t).Where(p => p.Value is not null).GroupBy(p => p.Step).OrderBy(g => g.Key).ToList();
        var steps = new double[byStep.Count];
        var mean = new double[byStep.Count];
        var std = new double[byStep.Count];
        for (var i = 0; i < byStep.Count; i++)
        {
            var values = byStep[i].Select(p => p.Value!.Value).ToList();
            steps[i] = byStep[i].Key;
            mean[i] = values.Average();
            std[i] = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean[i]) * (v - mean[i])) / (values.Count - 1)) : 0;
        }
        return new CurveBand(label, steps, mean, std, trials.Count, pruned);
    }
}
