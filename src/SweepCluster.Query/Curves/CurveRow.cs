using SweepCluster.Query.Results;
using SweepCluster.Trials;

namespace SweepCluster.Query.Curves;

/// <summary>One checkpoint of one trial, with the trial's swept keys.</summary>
public readonly record struct CurveRow(string TrialId, IReadOnlyList<ParameterValue> Parameters, Checkpoint Checkpoint);

public enum CurveFormat { Csv, JsonLines, Parquet }

/// <summary>Writes curve rows in one format; the columns are trial_id, the swept keys, then the checkpoint fields.</summary>
public interface ICurveWriter : IAsyncDisposable
{
    ValueTask WriteAsync(CurveRow row, CancellationToken cancellation);

    ValueTask CompleteAsync(CancellationToken cancellation);
}
