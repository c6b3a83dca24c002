using Parquet;
using Parquet.Schema;
using SweepCluster.Query.Results;

namespace SweepCluster.Query.Curves;

/// <summary>
/// Parquet with one row group per <see cref="RowGroupSize"/> rows: trial_id and text keys as strings,
/// numeric keys as nullable doubles, step as int64 and the metrics as nullable doubles.
/// </summary>
public sealed class ParquetCurveWriter : ICurveWriter
{
    public const int RowGroupSize = 250_000;

    private readonly Stream _output;
    private readonly IReadOnlyList<bool> _numericKeys;
    private readonly ParquetSchema _schema;
    private readonly DataField[] _fields;
    private ParquetWriter? _writer;
    private readonly List<CurveRow> _rows = new(RowGroupSize);

    /// <param name="numericKeys">For each swept key, whether every trial's value is a number.</param>
    public ParquetCurveWriter(Stream output, IReadOnlyList<string> parameterKeys, IReadOnlyList<bool> numericKeys)
    {
        _output = output;
        _numericKeys = numericKeys;
        var fields = new List<DataField> { new DataField<string>("trial_id") };
        fields.AddRange(parameterKeys.Select((k, i) => numericKeys[i] ? (DataField)new DataField<double?>(k) : new DataField<string>(k)));
        fields.Add(new DataField<long>("step"));
        fields.AddRange(CheckpointFields.Names.Skip(1).Select(n => (DataField)new DataField<double?>(n)));
        _fields = [.. fields];
        _schema = new ParquetSchema(_fields);
    }

    public async ValueTask WriteAsync(CurveRow row, CancellationToken cancellation)
    {
        _rows.Add(row);
        if (_rows.Count == RowGroupSize)
        {
            await FlushRowGroupAsync(cancellation);
        }
    }

    public async ValueTask CompleteAsync(CancellationToken cancellation)
    {
        if (_rows.Count > 0 || _writer is null)
        {
            await FlushRowGroupAsync(cancellation);
        }
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }
        await _output.FlushAsync(cancellation);
    }

    private async Task FlushRowGroupAsync(CancellationToken cancellation)
    {
        _writer ??= await ParquetWriter.CreateAsync(_schema, _output, cancellationToken: cancellation);
        using var group = _writer.CreateRowGroup();
        var field = 0;
        await group.WriteAsync(_fields[field++], _rows.Select(r => r.TrialId).ToArray());
        for (var k = 0; k < _numericKeys.Count; k++)
        {
            var key = k;
            if (_numericKeys[key])
            {
                await group.WriteAsync<double>(_fields[field++], _rows.Select(r => r.Parameters[key].Number).ToArray(), cancellationToken: cancellation);
            }
            else
            {
                await group.WriteAsync(_fields[field++], _rows.Select(r => r.Parameters[key].Text).ToArray());
            }
        }
        await group.WriteAsync<long>(_fields[field++], _rows.Select(r => r.Checkpoint.Step).ToArray(), cancellationToken: cancellation);
        foreach (var name in CheckpointFields.Names.Skip(1))
        {
            await group.WriteAsync<double>(_fields[field++], _rows.Select(r => CheckpointFields.Get(r.Checkpoint, name)).ToArray(), cancellationToken: cancellation);
        }
        _rows.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }
    }

    internal static bool IsNumeric(IEnumerable<ParameterValue> values) => values.All(v => v.Number is not null || v.IsMissing) && values.Any(v => v.Number is not null);
}
