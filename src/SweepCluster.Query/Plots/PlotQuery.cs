using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;

namespace SweepCluster.Query.Plots;

/// <summary>Groups a study's trials (by algorithm unless asked otherwise) and reduces each group's curves of one metric to a band.</summary>
public sealed class PlotQuery(ReadModelReader reader)
{
    public async Task<IReadOnlyList<CurveBand>> BandsAsync(string studyId, string metric, IReadOnlyList<string> groupBy, IReadOnlyList<Filter> where, CancellationToken cancellation = default)
    {
        if (!CheckpointFields.Exists(metric))
        {
            throw new QueryException($"unknown metric '{metric}'; the metrics are {string.Join(", ", CheckpointFields.Names)}");
        }
        var (_, _, trials) = await new Curves.CurvesQuery(reader).SelectAsync(studyId, where, [], cancellation);
        var all = (await reader.TrialsAsync(studyId, cancellation)).ToDictionary(t => t.TrialId, t => TrialParameters.Flatten(t.SpecJson));
        foreach (var key in groupBy.Where(k => !all.Values.Any(p => p.ContainsKey(k))))
        {
            throw new QueryException($"unknown key '{key}' in study '{studyId}'");
        }
        var points = trials.Keys.ToDictionary(id => id, _ => new List<(long, double?)>(), StringComparer.Ordinal);
        await foreach (var (trialId, checkpoint) in reader.CheckpointsAsync(studyId, trials.Keys.ToHashSet(StringComparer.Ordinal), cancellation))
        {
            points[trialId].Add((checkpoint.Step, CheckpointFields.Get(checkpoint, metric)));
        }
        return trials.Keys
            .GroupBy(id => groupBy.Select(k => TrialParameters.Value(all[id], k)).ToList(), ListComparer.Instance)
            .OrderBy(g => g.Key, ListComparer.Instance)
            .Select(g => CurveBand.From(Label(groupBy, g.Key), g.Select(id => (IReadOnlyList<(long, double?)>)points[id]).ToList()))
            .ToList();
    }

    private static string Label(IReadOnlyList<string> groupBy, IReadOnlyList<ParameterValue> key) =>
        groupBy.Count == 1 ? key[0].Text : string.Join(", ", groupBy.Select((k, i) => $"{k}={key[i].Text}"));

    private sealed class ListComparer : IEqualityComparer<IReadOnlyList<ParameterValue>>, IComparer<IReadOnlyList<ParameterValue>>
    {
        public static readonly ListComparer Instance = new();

        public bool Equals(IReadOnlyList<ParameterValue>? x, IReadOnlyList<ParameterValue>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(IReadOnlyList<ParameterValue> obj) => obj.Aggregate(17, (h, v) => HashCode.Combine(h, v.Text));

        public int Compare(IReadOnlyList<ParameterValue>? x, IReadOnlyList<ParameterValue>? y) =>
            x!.Zip(y!, ParameterValue.Compare).FirstOrDefault(c => c != 0);
    }
}
