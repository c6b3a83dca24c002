using SweepCluster.Query.ReadModel;
using SweepCluster.Trials;

namespace SweepCluster.Query.Results;

/// <summary>What `results` is asked: which point of each trial, grouped how, which metrics, which trials.</summary>
public sealed record ResultsRequest(
    string StudyId,
    CheckpointAt At,
    IReadOnlyList<string>? GroupBy,
    IReadOnlyList<string> Metrics,
    IReadOnlyList<Filter> Where,
    string? Best);

/// <summary>key=value on a trial's resolved keys.</summary>
public sealed record Filter(string Key, string Value)
{
    public static Filter Parse(string text)
    {
        var at = text.IndexOf('=', StringComparison.Ordinal);
        if (at <= 0)
        {
            throw new QueryException($"--where '{text}': expected KEY=VALUE, e.g. algorithm=gd or model.width=64");
        }
        return new Filter(text[..at].Trim(), text[(at + 1)..].Trim());
    }
}

public sealed record MetricSummary(double? Mean, double? Std, double? Min, double? Max, int Count);

public sealed record ResultGroup(IReadOnlyList<ParameterValue> Key, int Trials, IReadOnlyDictionary<string, MetricSummary> Metrics);

public sealed record ResultsTable(string StudyId, IReadOnlyList<string> GroupBy, IReadOnlyList<string> Metrics, IReadOnlyList<ResultGroup> Groups);

/// <summary>Aggregates each configuration's trials (its seeds) at one point of their training, from the read model.</summary>
public sealed class ResultsQuery(ReadModelReader reader)
{
    public static readonly string[] DefaultMetrics = ["margin_l1", "margin_l2", "margin_linf", "loss", "train_accuracy"];

    public async Task<ResultsTable> RunAsync(ResultsRequest request, CancellationToken cancellation = default)
    {
        foreach (var metric in request.Metrics.Append(request.Best).OfType<string>().Where(m => !CheckpointFields.Exists(m)))
        {
            throw new QueryException($"unknown metric '{metric}'; the metrics are {string.Join(", ", CheckpointFields.Names)}");
        }
        var trials = await reader.TrialsAsync(request.StudyId, cancellation);
        if (trials.Count == 0 && (await reader.StudiesAsync(request.StudyId, cancellation)).Count == 0)
        {
            throw new QueryException($"there is no study '{request.StudyId}'");
        }
        var parameters = trials.Select(t => (IReadOnlyDictionary<string, ParameterValue>)TrialParameters.Flatten(t.SpecJson)).ToList();
        var known = parameters.SelectMany(p => p.Keys).ToHashSet(StringComparer.Ordinal);
        foreach (var key in request.Where.Select(w => w.Key).Concat(request.GroupBy ?? []).Where(k => !known.Contains(k)))
        {
            throw new QueryException($"unknown key '{key}' in study '{request.StudyId}'; its keys are {string.Join(", ", known.Order(StringComparer.Ordinal))}");
        }
        var groupBy = request.GroupBy ?? TrialParameters.DefaultGroups(parameters, TrialParameters.Varying(parameters));
        var checkpoints = await reader.CheckpointsAtAsync(request.StudyId, request.At, cancellation);

        var chosen = trials.Select((t, i) => (Trial: t, Parameters: parameters[i]))
            .Where(x => request.Where.All(w => TrialParameters.Value(x.Parameters, w.Key).Matches(w.Value)))
            .ToList();
        var groups = chosen
            .GroupBy(x => groupBy.Select(k => TrialParameters.Value(x.Parameters, k)).ToArray(), KeyComparer.Instance)
            .Select(g =>
            {
                var key = g.Key;
                // A diverged trial's last numbers are not a result; it still counts among the group's trials.
                var points = g.Where(x => x.Trial.End != TrialEnd.Diverged && checkpoints.ContainsKey(x.Trial.TrialId))
                    .Select(x => checkpoints[x.Trial.TrialId]).ToList();
                var metrics = request.Metrics.ToDictionary(m => m, m => Summarize(points.Select(c => CheckpointFields.Get(c, m))), StringComparer.Ordinal);
                var bestMean = request.Best is { } best ? Summarize(points.Select(c => CheckpointFields.Get(c, best))).Mean : null;
                return (Group: new ResultGroup(key, g.Count(), metrics), BestMean: bestMean);
            })
            .OrderBy(x => x.Group.Key, KeyComparer.Instance)
            .ToList();
        if (request.Best is { } bestMetric)
        {
            var candidates = groups.Where(x => x.BestMean is not null).ToList();
            groups = candidates.Count == 0 ? []
                : [CheckpointFields.LowerIsBetter(bestMetric) ? candidates.MinBy(x => x.BestMean) : candidates.MaxBy(x => x.BestMean)];
        }
        return new ResultsTable(request.StudyId, groupBy, request.Metrics, groups.Select(x => x.Group).ToList());
    }

    /// <summary>Mean, sample standard deviation (n - 1; none for one value), min and max of the values that exist.</summary>
    public static MetricSummary Summarize(IEnumerable<double?> values)
    {
        var xs = values.OfType<double>().ToList();
        if (xs.Count == 0)
        {
            return new MetricSummary(null, null, null, null, 0);
        }
        var mean = xs.Average();
        double? std = xs.Count > 1 ? Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1)) : null;
        return new MetricSummary(mean, std, xs.Min(), xs.Max(), xs.Count);
    }

    private sealed class KeyComparer : IComparer<IReadOnlyList<ParameterValue>>, IEqualityComparer<ParameterValue[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(ParameterValue[]? x, ParameterValue[]? y) => x!.AsSpan().SequenceEqual(y);

        public int GetHashCode(ParameterValue[] key)
        {
            var hash = new HashCode();
            foreach (var value in key)
            {
                hash.Add(value);
            }
            return hash.ToHashCode();
        }

        public int Compare(IReadOnlyList<ParameterValue>? x, IReadOnlyList<ParameterValue>? y)
        {
            for (var i = 0; i < Math.Min(x!.Count, y!.Count); i++)
            {
                var c = ParameterValue.Compare(x[i], y[i]);
                if (c != 0)
                {
                    return c;
                }
            }
            return x.Count.CompareTo(y.Count);
        }
    }
}
