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
        StudyTrials.RequireMetrics(request.Metrics.Append(request.Best).OfType<string>());
        var study = await StudyTrials.LoadAsync(reader, request.StudyId, cancellation);
        study.RequireKeys(request.GroupBy ?? []);
        var chosen = study.Matching(request.Where).ToList();
        var groupBy = request.GroupBy ?? TrialParameters.DefaultGroups(study.Parameters, TrialParameters.Varying(study.Parameters));
        var checkpoints = await reader.CheckpointsAtAsync(request.StudyId, request.At, cancellation);

        var groups = chosen
            .GroupBy(i => (IReadOnlyList<ParameterValue>)study.Values(i, groupBy), ParameterKeyComparer.Instance)
            .Select(g =>
            {
                var key = g.Key;
                // A diverged trial's last numbers are not a result; it still counts among the group's trials.
                var points = g.Select(i => study.Trials[i]).Where(t => t.End != TrialEnd.Diverged && checkpoints.ContainsKey(t.TrialId))
                    .Select(t => checkpoints[t.TrialId]).ToList();
                var metrics = request.Metrics.ToDictionary(m => m, m => Summarize(points.Select(c => CheckpointFields.Get(c, m))), StringComparer.Ordinal);
                var bestMean = request.Best is { } best ? Summarize(points.Select(c => CheckpointFields.Get(c, best))).Mean : null;
                return (Group: new ResultGroup(key, g.Count(), metrics), BestMean: bestMean);
            })
            .OrderBy(x => x.Group.Key, ParameterKeyComparer.Instance)
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
}
