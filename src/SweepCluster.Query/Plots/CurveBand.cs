namespace SweepCluster.Query.Plots;

/// <summary>
/// A group's curve: at each step, the mean and sample standard deviation over its trials that have a value
/// there. <see cref="Pruned"/> of its trials were stopped early by the study's scheduler: past the step they
/// stopped at, the band holds only the others (or ends); so do <see cref="Stalled"/> trials past their stall.
/// </summary>
public sealed record CurveBand(string Label, double[] Steps, double[] Mean, double[] Std, int Trials, int Pruned = 0, int Stalled = 0)
{
    public static CurveBand From(string label, IReadOnlyList<IReadOnlyList<(long Step, double? Value)>> trials, int pruned = 0)
    {
        var byStep = new SortedDictionary<long, StepStatistics>();
        foreach (var (step, value) in trials.SelectMany(t => t))
        {
            if (value is { } v)
            {
                byStep[step] = byStep.GetValueOrDefault(step).Add(v);
            }
        }
        return From(label, byStep.Select(p => (p.Key, p.Value)).ToList(), trials.Count, pruned);
    }

    /// <summary>
    /// A band from each step's statistics over the group's trials, steps ascending. Its tail ends where
    /// fewer than half of the trials that were to run on still have a value: seeds that stop at different
    /// steps (a loss threshold) would otherwise end the curve in a zig-zag of one or two seeds' values.
    /// </summary>
    public static CurveBand From(string label, IReadOnlyList<(long Step, StepStatistics Statistics)> steps, int trials, int pruned, int stalled = 0)
    {
        var needed = Math.Max(1, (trials - pruned - stalled + 1) / 2);
        var end = steps.Count;
        while (end > 0 && steps[end - 1].Statistics.Count < needed)
        {
            end--;
        }
        steps = steps.Take(end).ToList();
        var at = new double[steps.Count];
        var mean = new double[steps.Count];
        var std = new double[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            at[i] = steps[i].Step;
            mean[i] = steps[i].Statistics.Mean;
            std[i] = steps[i].Statistics.Std;
        }
        return new CurveBand(label, at, mean, std, trials, pruned, stalled);
    }
}

/// <summary>
/// The count, mean and spread of values added one at a time (Welford's update: no sum of squares to
/// lose precision in); the standard deviation is the sample one, 0 for a single value.
/// </summary>
public readonly record struct StepStatistics(int Count, double Mean, double SquaredDeviations)
{
    public StepStatistics Add(double value)
    {
        var count = Count + 1;
        var delta = value - Mean;
        var mean = Mean + (delta / count);
        return new StepStatistics(count, mean, SquaredDeviations + (delta * (value - mean)));
    }

    public double Std => Count > 1 ? Math.Sqrt(SquaredDeviations / (Count - 1)) : 0;
}
