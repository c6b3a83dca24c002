using SweepCluster.Protocol.Study;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;
using SweepCluster.Trials;

namespace SweepCluster.Query.Plots;

/// <summary>Groups a study's trials (by algorithm unless asked otherwise) and reduces each group's curves of one metric to a band.</summary>
public sealed class PlotQuery(ReadModelReader reader)
{
    public async Task<IReadOnlyList<CurveBand>> BandsAsync(string studyId, string metric, IReadOnlyList<string> groupBy, IReadOnlyList<Filter> where, CancellationToken cancellation = default)
    {
        StudyTrials.RequireMetrics([metric]);
        return await BandsAsync(await StudyTrials.LoadAsync(reader, studyId, cancellation), metric, groupBy, where, cancellation);
    }

    /// <summary>The same, on a study already loaded (a server that keeps it between requests).</summary>
    public async Task<IReadOnlyList<CurveBand>> BandsAsync(StudyTrials study, string metric, IReadOnlyList<string> groupBy, IReadOnlyList<Filter> where, CancellationToken cancellation = default)
    {
        StudyTrials.RequireMetrics([metric]);
        study.RequireKeys(groupBy);
        var groups = study.Matching(where)
            .GroupBy(i => (IReadOnlyList<ParameterValue>)study.Values(i, groupBy), ParameterKeyComparer.Instance)
            .OrderBy(g => g.Key, ParameterKeyComparer.Instance)
            .ToList();
        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var g = 0; g < groups.Count; g++)
        {
            foreach (var i in groups[g])
            {
                groupOf[study.Trials[i].TrialId] = g;
            }
        }
        // Each group's mean and spread per step, accumulated as the points stream by: memory grows with
        // groups x steps, not with the study's checkpoints.
        var steps = groups.Select(_ => new Dictionary<long, StepStatistics>()).ToList();
        await foreach (var (trialId, step, value) in reader.MetricAsync(study.StudyId, metric, cancellation))
        {
            if (value is { } v && groupOf.TryGetValue(trialId, out var g))
            {
                steps[g][step] = steps[g].GetValueOrDefault(step).Add(v);
            }
        }
        return groups.Select((g, n) => CurveBand.From(
                Label(groupBy, g.Key),
                steps[n].OrderBy(p => p.Key).Select(p => (p.Key, p.Value)).ToList(),
                g.Count(),
                g.Count(i => study.Trials[i].Status == TrialStatus.Pruned),
                g.Count(i => study.Trials[i].End == TrialEnd.Stalled)))
            .ToList();
    }

    private static string Label(IReadOnlyList<string> groupBy, IReadOnlyList<ParameterValue> key) =>
        groupBy.Count == 1 ? key[0].Text : string.Join(", ", groupBy.Select((k, i) => $"{k}={key[i].Text}"));
}
