namespace SweepCluster.Web.Api;

/// <summary>
/// Which of a curve's points to send: all of them when they fit, else the first and last with the rest of
/// the budget split between steps spread evenly on a log scale (the start of training, where a log axis
/// looks) and evenly on a linear one (the rest).
/// </summary>
internal static class Downsample
{
    public static int[] Indices(double[] steps, int points)
    {
        var n = steps.Length;
        if (n <= points)
        {
            return Enumerable.Range(0, n).ToArray();
        }
        var kept = new SortedSet<int> { 0, n - 1 };
        var half = (points - 2) / 2;
        for (var k = 1; k <= half; k++)
        {
            kept.Add((int)Math.Round(k * (n - 1.0) / (half + 1)));
        }
        var first = Math.Log(steps[0] + 1);
        var span = Math.Log(steps[^1] + 1) - first;
        for (var k = 1; k <= points - 2 - half && kept.Count < points; k++)
        {
            var target = Math.Exp(first + (span * k / (points - 1 - half))) - 1;
            var at = Array.BinarySearch(steps, target);
            kept.Add(Math.Clamp(at >= 0 ? at : ~at, 0, n - 1));
        }
        return kept.ToArray();
    }
}
