using SweepCluster.Query.Plots;

namespace SweepCluster.Query.Tests;

public sealed class CurvePlotTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-plot-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_group_with_pruned_trials_says_how_many_in_its_legend()
    {
        IReadOnlyList<(long, double?)> Curve(double scale, long last) => [.. Enumerable.Range(0, (int)(last / 10) + 1).Select(i => ((long)(i * 10), (double?)(scale * i)))];
        var full = CurveBand.From("0.01", [Curve(1, 100), Curve(1.1, 100)]);
        var stopped = CurveBand.From("0.002", [Curve(0.5, 30), Curve(0.4, 30)], pruned: 2);
        var path = Path.Combine(_folder, "plot.svg");

        CurvePlot.Save([full, stopped], "margin_l2", "test", logSteps: false, path);

        var svg = File.ReadAllText(path);
        Assert.Contains("0.002 (n=2, 2 pruned)", svg, StringComparison.Ordinal);
        Assert.Contains("0.01 (n=2)", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void A_band_ends_where_fewer_than_half_of_its_seeds_still_run()
    {
        // Four seeds stop at steps 40, 60, 80 and 100 (a loss threshold): past 60 only one or two remain.
        IReadOnlyList<(long, double?)> Seed(double offset, long last) => [.. Enumerable.Range(0, (int)(last / 10) + 1).Select(i => ((long)(i * 10), (double?)(offset + i)))];
        var band = CurveBand.From("gd", [Seed(0, 40), Seed(1, 60), Seed(2, 80), Seed(3, 100)]);
        Assert.Equal(80, band.Steps[^1]);
        Assert.Equal(4, band.Trials);

        var pruned = CurveBand.From("sign", [Seed(0, 30), Seed(1, 30), Seed(2, 100)], pruned: 2);
        Assert.Equal(100, pruned.Steps[^1]);
    }

    [Theory]
    [InlineData(new[] { 1e-30, 5.0, 1e3 }, "0E+00")]
    [InlineData(new[] { 0.5, 2e5 }, "0E+00")]
    [InlineData(new[] { 0.002, 0.5, 3000.0 }, "G6")]
    [InlineData(new[] { -1.0, 0.0, double.NaN, 10.0 }, "G6")]
    public void A_log_axis_writes_every_power_of_ten_in_one_format(double[] values, string format)
    {
        Assert.Equal(format, CurvePlot.LogAxisFormat(values));
        // The loss of a quickstart run: the format gives 1E+04 ... 1E-32, never "100" beside "1E-06".
        var labels = Enumerable.Range(-32, 37).Select(e => Math.Pow(10, e).ToString(CurvePlot.LogAxisFormat([1e-30, 1e4]), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(labels, l => Assert.Matches(@"^1E[+-]\d\d$", l));
    }
}
