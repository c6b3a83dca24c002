using System.ComponentModel;
using Spectre.Console.Cli;
using SweepCluster.Query;
using SweepCluster.Query.Curves;
using SweepCluster.Query.Results;

namespace SweepCluster.Cli.Commands;

public sealed class CurvesCommand : AsyncCommand<CurvesCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<STUDY>")]
        [Description("The study whose checkpoints to write (the name in its sweep file; `sweepcluster status` lists them).")]
        public string Study { get; init; } = "";

        [CommandOption("--trial <ID>")]
        [Description("Only these trials (repeat, or comma-separated). Default: every trial.")]
        public string[]? Trials { get; init; }

        [CommandOption("--where <KEY=VALUE>")]
        [Description("Only trials whose key has this value: KEY=VALUE, KEY!=VALUE, or a range on a number (lr<0.02, steps>=1000); numbers compare as numbers, text in any case. Repeat for several conditions, all of which must hold.")]
        public string[]? Where { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("csv, jsonl or parquet. Default: from the --out extension (.csv, .jsonl, .parquet), else csv.")]
        public string? Format { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("Write to this file (written whole or not at all). Default: stdout.")]
        public string? Out { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var format = ParseFormat(settings.Format, settings.Out);
        if (format == CurveFormat.Parquet && settings.Out is null && !Console.IsOutputRedirected)
        {
            throw new QueryException("--format parquet writes binary data: give --out FILE or redirect stdout");
        }
        var reader = await QueryStore.OpenAsync(settings, settings.Study, cancellationToken);
        var query = new CurvesQuery(reader);
        var (keys, numeric, trials) = await query.SelectAsync(settings.Study, (settings.Where ?? []).Select(Filter.Parse).ToList(), QueryStore.List(settings.Trials), cancellationToken);
        async Task Write(Stream stream)
        {
            await using var writer = Create(format, stream, keys, numeric);
            await query.WriteAsync(settings.Study, trials, writer, cancellationToken);
        }
        if (settings.Out is { } path)
        {
            await OutputFile.WriteAsync(path, Write, cancellationToken);
        }
        else
        {
            await using var stdout = Console.OpenStandardOutput();
            await Write(stdout);
        }
        return ExitCodes.Success;
    }

    internal static ICurveWriter Create(CurveFormat format, Stream stream, IReadOnlyList<string> keys, IReadOnlyList<bool> numeric) => format switch
    {
        CurveFormat.Csv => new CsvCurveWriter(new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16), keys),
        CurveFormat.JsonLines => new JsonLinesCurveWriter(stream, keys),
        _ => new ParquetCurveWriter(stream, keys, numeric),
    };

    private static CurveFormat ParseFormat(string? format, string? path) => (format ?? Path.GetExtension(path ?? "")?.TrimStart('.')) switch
    {
        null or "" or "csv" => CurveFormat.Csv,
        "jsonl" or "json" => CurveFormat.JsonLines,
        "parquet" => CurveFormat.Parquet,
        var other => throw new QueryException(format is null
            ? $"--out {path}: cannot tell the format from '.{other}'; give --format csv, jsonl or parquet"
            : $"--format '{other}': expected csv, jsonl or parquet"),
    };
}
