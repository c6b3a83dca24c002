using SweepCluster.Protocol.Study;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;

namespace SweepCluster.Query.Curves;

/// <summary>Every checkpoint of the chosen trials, at full resolution, with each trial's swept keys and its state (a stalled or diverged trial's curve is not a result).</summary>
public sealed class CurvesQuery(ReadModelReader reader)
{
    /// <summary>
    /// The swept keys (every key that varies in the study, seed included) and the chosen trials' parameters,
    /// then a <c>state</c> column. A key named like a checkpoint field (the step form, <c>step</c>) or like
    /// <c>trial_id</c> or <c>state</c> is written as <c>config.KEY</c>.
    /// </summary>
    public async Task<(IReadOnlyList<string> Keys, IReadOnlyList<bool> Numeric, Dictionary<string, IReadOnlyList<ParameterValue>> Trials)> SelectAsync(
        string studyId, IReadOnlyList<Filter> where, IReadOnlyCollection<string> trialIds, CancellationToken cancellation = default)
    {
        var study = await StudyTrials.LoadAsync(reader, studyId, cancellation);
        foreach (var id in trialIds.Where(id => study.Trials.All(t => t.TrialId != id)))
        {
            throw new QueryException($"study '{studyId}' has no trial '{id}'");
        }
        var keys = study.Parameters.Varying();
        var chosen = study.Matching(where)
            .Where(i => trialIds.Count == 0 || trialIds.Contains(study.Trials[i].TrialId))
            .ToDictionary(
                i => study.Trials[i].TrialId,
                i => (IReadOnlyList<ParameterValue>)[.. study.Values(i, keys), new ParameterValue(TrialState.Of(study.Trials[i].Status, study.Trials[i].End), null)],
                StringComparer.Ordinal);
        var numeric = keys.Select((_, k) => ParquetCurveWriter.IsNumeric(chosen.Values.Select(v => v[k]))).Append(false).ToList();
        return (keys.Select(ColumnName).Append(StateColumn).ToList(), numeric, chosen);
    }

    public const string StateColumn = "state";

    public static string ColumnName(string key) => CheckpointFields.Exists(key) || key is "trial_id" or StateColumn ? "config." + key : key;

    /// <summary>Writes the chosen trials' checkpoints and returns how many rows were written.</summary>
    public async Task<long> WriteAsync(string studyId, Dictionary<string, IReadOnlyList<ParameterValue>> trials, ICurveWriter writer, CancellationToken cancellation = default)
    {
        long rows = 0;
        await foreach (var (trialId, checkpoint) in reader.CheckpointsAsync(studyId, trials.Keys.ToHashSet(StringComparer.Ordinal), cancellation))
        {
            await writer.WriteAsync(new CurveRow(trialId, trials[trialId], checkpoint), cancellation);
            rows++;
        }
        await writer.CompleteAsync(cancellation);
        return rows;
    }
}
