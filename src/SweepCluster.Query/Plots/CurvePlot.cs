using ScottPlot;
using ScottPlot.TickGenerators;

namespace SweepCluster.Query.Plots;

/// <summary>
/// Mean curves with a one-standard-deviation band, one line per group, against the step; PNG or SVG. A group
/// the scheduler stopped (some of its trials pruned) says how many in its legend, and is drawn dashed in PNGs
/// (the SVG writer draws every line solid).
/// </summary>
public static class CurvePlot
{
    /// <summary>Where symmetric log turns from linear to logarithmic: margins of order 1e-3 and below stay apart.</summary>
    private const double SymlogScale = 1e-3;

    /// <summary>
    /// The number format of a log axis's powers of ten over these values: one format on the axis, written
    /// out (0.001 to 10000) while every power is short, all in E notation (1E-06) once any is not.
    /// </summary>
    internal static string LogAxisFormat(IEnumerable<double> values)
    {
        var exponents = values.Where(v => v > 0 && double.IsFinite(v)).Select(Math.Log10).DefaultIfEmpty(0).ToList();
        return exponents.Min() < -3 || exponents.Max() > 4 ? "0E+00" : "G6";
    }

    /// <summary>A symmetric-log axis is in E notation when its values are all tiny (within the linear part) or huge.</summary>
    internal static bool SymlogAxisScientific(IEnumerable<double> values)
    {
        var largest = values.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
        return largest is > 0 and < SymlogScale || largest >= 1e6;
    }

    /// <summary>A tick of a symmetric-log axis to two significant digits, in the axis's one format: 150 and 0.00052, or 1.5E+02 and 5.2E-04.</summary>
    internal static string SymlogLabel(double value, bool scientific)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return "0";
        }
        var digits = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var rounded = Math.Round(value / Math.Pow(10, digits - 1)) * Math.Pow(10, digits - 1);
        return rounded.ToString(scientific ? "0.#E+00" : "0.##############", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static void Save(IReadOnlyList<CurveBand> bands, string metric, string title, bool logSteps, string path, AxisScale yScale = AxisScale.Linear, int width = 1000, int height = 620)
    {
        double Y(double v) => yScale switch
        {
            AxisScale.Log => v > 0 ? Math.Log10(v) : double.NaN,
            AxisScale.SymmetricLog => Math.Asinh(v / SymlogScale),
            _ => v,
        };
        var plot = new Plot();
        // Twenty distinct colours before any repeats (the default has ten).
        plot.Add.Palette = new ScottPlot.Palettes.Category20();
        foreach (var band in bands)
        {
            // A log axis has no place for step 0.
            var keep = Enumerable.Range(0, band.Steps.Length).Where(i => !logSteps || band.Steps[i] > 0).ToArray();
            if (keep.Length == 0)
            {
                continue;
            }
            var xs = keep.Select(i => logSteps ? Math.Log10(band.Steps[i]) : band.Steps[i]).ToArray();
            var mean = keep.Select(i => Y(band.Mean[i])).ToArray();
            var line = plot.Add.ScatterLine(xs, mean);
            line.LegendText = $"{band.Label} (n={band.Trials}{(band.Pruned > 0 ? $", {band.Pruned} pruned" : "")}{(band.Stalled > 0 ? $", {band.Stalled} stalled" : "")})";
            line.LineWidth = 2;
            if (band.Pruned > 0)
            {
                line.LinePattern = LinePattern.Dashed;
            }
            // On a log axis a band reaching 0 or below ends at the mean.
            var fill = plot.Add.FillY(xs,
                keep.Select(i => Y(band.Mean[i] - band.Std[i]) is var low && double.IsNaN(low) ? Y(band.Mean[i]) : low).ToArray(),
                keep.Select(i => Y(band.Mean[i] + band.Std[i])).ToArray());
            fill.FillColor = line.Color.WithAlpha(0.2);
            fill.LineWidth = 0;
        }
        plot.Title(title);
        plot.XLabel(logSteps ? "step (log scale)" : "step");
        plot.YLabel(yScale switch { AxisScale.Log => $"{metric} (log scale)", AxisScale.SymmetricLog => $"{metric} (symmetric log scale)", _ => metric });
        if (yScale == AxisScale.Log)
        {
            var format = LogAxisFormat(bands.SelectMany(b => b.Mean));
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = v => Math.Pow(10, Math.Round(v)).ToString(format, System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        else if (yScale == AxisScale.SymmetricLog)
        {
            var scientific = SymlogAxisScientific(bands.SelectMany(b => b.Mean));
            plot.Axes.Left.TickGenerator = new NumericAutomatic
            {
                LabelFormatter = v => SymlogLabel(Math.Sinh(v) * SymlogScale, scientific),
            };
        }
        if (logSteps)
        {
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic
            {
                MinorTickGenerator = new LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = v => Math.Pow(10, v).ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        // Beside the plot, not on it: a legend inside would cover some group's curve.
        plot.ShowLegend(Edge.Right);
        plot.Font.Set("DejaVu Sans");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".png":
                plot.SavePng(path, width, height);
                break;
            case ".svg":
                plot.SaveSvg(path, width, height);
                break;
            default:
                throw new QueryException($"--out {path}: the plot is written as .png or .svg, not '{extension}'");
        }
    }
}

/// <summary>How the plot's y axis maps values.</summary>
public enum AxisScale { Linear, Log, SymmetricLog }
