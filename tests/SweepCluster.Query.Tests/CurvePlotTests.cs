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

    [Fact]
    public void A_symmetric_log_axis_writes_its_ticks_in_one_format()
    {
        // Margins of order 1e-4 (the quickstart's margin_l1) read 0.0003 beside 8E-05 before.
        var tiny = CurvePlot.SymlogAxisScientific([-2e-5, 3e-4]);
        Assert.True(tiny);
        Assert.Equal(["3E-04", "8E-05", "-4E-05", "0"], new[] { 3e-4, 8e-5, -4e-5, 0 }.Select(v => CurvePlot.SymlogLabel(v, tiny)));
        // Margins up to hundreds (sign descent's l-infinity margin) read 1.5E+02 beside 81 before.
        var wide = CurvePlot.SymlogAxisScientific([-0.2, 267]);
        Assert.False(wide);
        Assert.Equal(["150", "81", "0.00052", "-0.017", "0"], new[] { 151.3, 81.2, 5.2e-4, -0.0171, 0 }.Select(v => CurvePlot.SymlogLabel(v, wide)));
    }
}
