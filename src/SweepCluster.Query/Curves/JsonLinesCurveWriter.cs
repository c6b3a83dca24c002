using System.Text.Json;

namespace SweepCluster.Query.Curves;

/// <summary>One JSON object per line: trial_id, the swept keys (numbers as numbers), then the checkpoint fields (null when not finite).</summary>
public sealed class JsonLinesCurveWriter(Stream output, IReadOnlyList<string> parameterKeys) : ICurveWriter
{
    private readonly Utf8JsonWriter _json = new(output, new JsonWriterOptions { SkipValidation = true });
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public async ValueTask WriteAsync(CurveRow row, CancellationToken cancellation)
    {
        _json.WriteStartObject();
        _json.WriteString("trial_id", row.TrialId);
        for (var i = 0; i < parameterKeys.Count; i++)
        {
            var value = row.Parameters[i];
            if (value.Number is { } number)
            {
                _json.WriteNumber(parameterKeys[i], number);
            }
            else if (value.IsMissing)
            {
                _json.WriteNull(parameterKeys[i]);
            }
            else
            {
                _json.WriteString(parameterKeys[i], value.Text);
            }
        }
        foreach (var name in CheckpointFields.Names)
        {
            if (CheckpointFields.Get(row.Checkpoint, name) is { } number)
            {
                _json.WriteNumber(name, number);
            }
            else
            {
                _json.WriteNull(name);
            }
        }
        _json.WriteEndObject();
        await _json.FlushAsync(cancellation);
        _json.Reset();
        await output.WriteAsync(NewLine, cancellation);
    }

    public async ValueTask CompleteAsync(CancellationToken cancellation) => await output.FlushAsync(cancellation);

    public ValueTask DisposeAsync() => _json.DisposeAsync();
}
