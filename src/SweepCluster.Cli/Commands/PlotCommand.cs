using System.ComponentModel;
using Spectre.Console.Cli;
using SweepCluster.Query;
using SweepCluster.Query.Plots;
using SweepCluster.Query.Results;

namespace SweepCluster.Cli.Commands;

public sealed class PlotCommand : AsyncCommand<PlotCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<STUDY>")]
        [Description("The study to plot (the name in its sweep file; `sweepcluster status` lists them).")]
        public string Study { get; init; } = "";

        [CommandOption("--metric <NAME>")]
        [Description("The checkpoint field on the y axis (default margin_l2).")]
        public string Metric { get; init; } = "margin_l2";

        [CommandOption("--out <FILE>")]
        [Description("The figure: FILE.png or FILE.svg. Required.")]
        public string? Out { get; init; }

        [CommandOption("--group-by <KEYS>")]
        [Description("Comma-separated trial keys; one line per group (default algorithm).")]
        public string[]? GroupBy { get; init; }

        [CommandOption("--where <KEY=VALUE>")]
        [Description("Only trials whose key has this value: KEY=VALUE, KEY!=VALUE, or a range on a number (lr<0.02, steps>=1000); numbers compare as numbers, text in any case. Repeat for several conditions, all of which must hold.")]
        public string[]? Where { get; init; }

        [CommandOption("--log-steps")]
        [Description("A logarithmic step axis (step 0 is left out).")]
        public bool LogSteps { get; init; }

        [CommandOption("--y-scale <SCALE>")]
        [Description("linear (default), log (values at or below 0 are left out), or symlog: asinh, linear near 0 and logarithmic beyond, for margins that start negative.")]
        public string YScale { get; init; } = "linear";

        [CommandOption("--title <TEXT>")]
        [Description("The figure's title (default: the study and the metric).")]
        public string? Title { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Out is not { } path)
        {
            throw new QueryException("--out FILE.png or FILE.svg is required");
        }
        var yScale = settings.YScale switch
        {
            "linear" => AxisScale.Linear,
            "log" => AxisScale.Log,
            "symlog" => AxisScale.SymmetricLog,
            _ => throw new QueryException($"--y-scale '{settings.YScale}': expected linear, log or symlog"),
        };
        if (Path.GetExtension(path).ToLowerInvariant() is not (".png" or ".svg"))
        {
            throw new QueryException($"--out {path}: the plot is written as .png or .svg");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"--out {path}: the folder {folder} does not exist");
        }
        var reader = await QueryStore.OpenAsync(settings, settings.Study, cancellationToken);
        var groupBy = QueryStore.List(settings.GroupBy) is { Count: > 0 } keys ? keys : ["algorithm"];
        var bands = await new PlotQuery(reader).BandsAsync(settings.Study, settings.Metric, groupBy, (settings.Where ?? []).Select(Filter.Parse).ToList(), cancellationToken);
        // A band needs seeds: with one trial per group there is only its curve.
        var title = settings.Title ?? (bands.Any(b => b.Trials > 1) ? $"{settings.Study}: {settings.Metric}, mean ± std over seeds" : $"{settings.Study}: {settings.Metric}");
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Environment.ProcessId}.{Path.GetFileName(full)}");
        try
        {
            CurvePlot.Save(bands, settings.Metric, title, settings.LogSteps, temporary, yScale);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        Console.Error.WriteLine($"wrote {path}: {bands.Count} groups, {bands.Sum(b => b.Trials)} trials");
        return ExitCodes.Success;
    }
}
