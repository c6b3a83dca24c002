using SweepCluster.Protocol.Study;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;

namespace SweepCluster.Query.Plots;

/// <summary>Groups a study's trials (by algorithm unless asked otherwise) and reduces each group's curves of one metric to a band.</summary>
public sealed class PlotQuery(ReadModelReader reader)
{
    public async Task<IReadOnlyList<CurveBand>> BandsAsync(string studyId, string metric, IReadOnlyList<string> groupBy, IReadOnlyList<Filter> where, CancellationToken cancellation = default)
    {
        StudyTrials.RequireMetrics([metric]);
        var study = await StudyTrials.LoadAsync(reader, studyId, cancellation);
        study.RequireKeys(groupBy);
        var chosen = study.Matching(where).ToList();
        var ids = chosen.Select(i => study.Trials[i].TrialId).ToHashSet(StringComparer.Ordinal);
        var points = ids.ToDictionary(id => id, _ => new List<(long, double?)>(), StringComparer.Ordinal);
        await foreach (var (trialId, checkpoint) in reader.CheckpointsAsync(studyId, ids, cancellation))
        {
            points[trialId].Add((checkpoint.Step, CheckpointFields.Get(checkpoint, metric)));
        }
        return chosen
            .GroupBy(i => (IReadOnlyList<ParameterValue>)study.Values(i, groupBy), ParameterKeyComparer.Instance)
            .OrderBy(g => g.Key, ParameterKeyComparer.Instance)
            .Select(g => CurveBand.From(
                Label(groupBy, g.Key),
                g.Select(i => (IReadOnlyList<(long, double?)>)points[study.Trials[i].TrialId]).ToList(),
                g.Count(i => study.Trials[i].Status == TrialStatus.Pruned)))
            .ToList();
    }

    private static string Label(IReadOnlyList<string> groupBy, IReadOnlyList<ParameterValue> key) =>
        groupBy.Count == 1 ? key[0].Text : string.Join(", ", groupBy.Select((k, i) => $"{k}={key[i].Text}"));
}
