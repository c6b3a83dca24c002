using System.Globalization;
using System.Text;

namespace SweepCluster.Query.Curves;

/// <summary>RFC 4180 CSV with a header; a missing value (a non-finite margin) is an empty cell; numbers round-trip.</summary>
public sealed class CsvCurveWriter : ICurveWriter
{
    private readonly TextWriter _out;
    private readonly StringBuilder _line = new();

    public CsvCurveWriter(TextWriter output, IReadOnlyList<string> parameterKeys)
    {
        _out = output;
        _out.Write(string.Join(",", parameterKeys.Prepend("trial_id").Concat(CheckpointFields.Names).Select(Escape)));
        _out.Write('\n');
    }

    public async ValueTask WriteAsync(CurveRow row, CancellationToken cancellation)
    {
        _line.Clear();
        _line.Append(Escape(row.TrialId));
        foreach (var value in row.Parameters)
        {
            _line.Append(',').Append(Escape(value.Text));
        }
        foreach (var name in CheckpointFields.Names)
        {
            _line.Append(',');
            if (CheckpointFields.Get(row.Checkpoint, name) is { } number)
            {
                _line.Append(number.ToString("R", CultureInfo.InvariantCulture));
            }
        }
        _line.Append('\n');
        await _out.WriteAsync(_line, cancellation);
    }

    public async ValueTask CompleteAsync(CancellationToken cancellation) => await _out.FlushAsync(cancellation);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static string Escape(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
