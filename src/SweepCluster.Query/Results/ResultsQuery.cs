using System.Globalization;
using SweepCluster.Protocol.Study;
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

/// <summary>How a <see cref="Filter"/> compares a key's value with the one given.</summary>
public enum FilterOperator { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

/// <summary>
/// key=value, key!=value, or a range on a number (key&lt;value, key&lt;=value, key&gt;value, key&gt;=value) on a
/// trial's resolved keys. Numbers compare as numbers (1e-3 equals 0.001); text compares without regard
/// to case (algorithm=GD is gd). A number typed with <see cref="DisplayedDigits"/> or more significant
/// digits also matches the values that round to it, so a number copied from a table (which shows four)
/// finds its trials; a shorter one (lr=0.01) matches only itself.
/// </summary>
public sealed record Filter(string Key, string Value, FilterOperator Operator = FilterOperator.Equal)
{
    private static readonly (string Symbol, FilterOperator Operator)[] Symbols =
        [("<=", FilterOperator.LessOrEqual), (">=", FilterOperator.GreaterOrEqual), ("!=", FilterOperator.NotEqual), ("<", FilterOperator.Less), (">", FilterOperator.Greater), ("=", FilterOperator.Equal)];

    public static Filter Parse(string text)
    {
        var at = text.IndexOfAny(['=', '<', '>', '!']);
        var (symbol, op) = at > 0 ? Symbols.FirstOrDefault(x => text.AsSpan(at).StartsWith(x.Symbol, StringComparison.Ordinal)) : default;
        if (symbol is null)
        {
            throw new QueryException($"--where '{text}': expected KEY=VALUE, KEY!=VALUE or a range such as lr<0.02 or steps>=1000");
        }
        var filter = new Filter(text[..at].Trim(), text[(at + symbol.Length)..].Trim(), op);
        if (op is not (FilterOperator.Equal or FilterOperator.NotEqual) && filter.Number is null)
        {
            throw new QueryException($"--where '{text}': a range needs a number, found '{filter.Value}'");
        }
        return filter;
    }

    private double? Number => double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    public bool Matches(ParameterValue value) => Operator switch
    {
        FilterOperator.Equal => Equal(value),
        FilterOperator.NotEqual => !Equal(value),
        _ => value.Number is { } n && Number is { } wanted && Operator switch
        {
            FilterOperator.Less => n < wanted,
            FilterOperator.LessOrEqual => n <= wanted,
            FilterOperator.Greater => n > wanted,
            _ => n >= wanted,
        },
    };

    public const int DisplayedDigits = 4;

    private bool Equal(ParameterValue value) =>
        value.Number is { } number && Number is { } wanted
            ? number.Equals(wanted) || (SignificantDigits(Value) is var digits && digits >= DisplayedDigits && RoundTo(number, digits) == RoundTo(wanted, digits))
            : string.Equals(value.Text, Value, StringComparison.OrdinalIgnoreCase);

    /// <summary>How many significant digits a typed number has: 0.01509 has 4, 1.50e-2 has 3.</summary>
    private static int SignificantDigits(string text)
    {
        var mantissa = text.Split('e', 'E')[0].TrimStart('+', '-').Replace(".", "", StringComparison.Ordinal).TrimStart('0');
        return Math.Max(mantissa.Length, 1);
    }

    private static double RoundTo(double value, int digits) =>
        value == 0 || !double.IsFinite(value) ? value : double.Parse(value.ToString("E" + (digits - 1), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public override string ToString() => Key + Symbols.First(x => x.Operator == Operator).Symbol + Value;
}

public sealed record MetricSummary(double? Mean, double? Std, double? Min, double? Max, int Count);

/// <param name="Pruned">How many of the group's trials the study's scheduler stopped early: their numbers are from the step they stopped at.</param>
/// <param name="Diverged">How many diverged: counted among the trials, left out of the metrics.</param>
/// <param name="Stalled">How many stalled in a cycle: counted among the trials, left out of the metrics.</param>
/// <param name="NotReached">With <c>--at loss=X</c>: how many of its trials (diverged and stalled ones aside) have no checkpoint with the loss at most X.</param>
public sealed record ResultGroup(IReadOnlyList<ParameterValue> Key, int Trials, IReadOnlyDictionary<string, MetricSummary> Metrics, int Pruned = 0, int Diverged = 0, int Stalled = 0, int NotReached = 0);

/// <param name="NotReached">With <c>--at loss=X</c>: the ids of the trials counted in the groups' <see cref="ResultGroup.NotReached"/>.</param>
public sealed record ResultsTable(string StudyId, IReadOnlyList<string> GroupBy, IReadOnlyList<string> Metrics, IReadOnlyList<ResultGroup> Groups, IReadOnlyList<string>? NotReached = null);

/// <summary>Aggregates each configuration's trials (its seeds) at one point of their training, from the read model.</summary>
public sealed class ResultsQuery(ReadModelReader reader)
{
    public static readonly string[] DefaultMetrics = ["margin_l1", "margin_l2", "margin_linf", "loss", "train_accuracy"];

    public async Task<ResultsTable> RunAsync(ResultsRequest request, CancellationToken cancellation = default)
    {
        StudyTrials.RequireMetrics(request.Metrics.Append(request.Best).OfType<string>());
        return await RunAsync(await StudyTrials.LoadAsync(reader, request.StudyId, cancellation), request, cancellation);
    }

    /// <summary>The same, on a study already loaded (a server that keeps it between requests).</summary>
    public async Task<ResultsTable> RunAsync(StudyTrials study, ResultsRequest request, CancellationToken cancellation = default)
    {
        StudyTrials.RequireMetrics(request.Metrics.Append(request.Best).OfType<string>());
        study.RequireKeys(request.GroupBy ?? []);
        var chosen = study.Matching(request.Where).ToList();
        var groupBy = request.GroupBy ?? study.Parameters.DefaultGroups(study.Parameters.Varying());
        // The trials already come with their latest checkpoint; only another point needs a second query.
        var checkpoints = request.At is CheckpointAt.Last
            ? study.Trials.Where(t => t.Latest is not null).ToDictionary(t => t.TrialId, t => t.Latest!, StringComparer.Ordinal)
            : await reader.CheckpointsAtAsync(request.StudyId, request.At, cancellation);
        if (request.At is CheckpointAt.AtStep { Value: var step } && chosen.Count > 0 && !chosen.Any(i => checkpoints.ContainsKey(study.Trials[i].TrialId)))
        {
            // Counts of 0 would look like an answer: say which steps there are instead.
            var (before, after) = await reader.NearestStepsAsync(request.StudyId, step, cancellation);
            var near = string.Join(" and ", new[] { before, after }.OfType<long>().Select(s => $"step={s}"));
            throw new QueryException(near.Length == 0
                ? $"--at step={step}: study '{request.StudyId}' has no checkpoints yet"
                : $"--at step={step}: no trial of study '{request.StudyId}' has a checkpoint at step {step}; the nearest steps with checkpoints are {near}");
        }

        var groups = Aggregate(study, chosen, groupBy, checkpoints, request);
        if (request.Best is { } bestMetric)
        {
            var candidates = groups.Where(x => x.BestMean is not null).ToList();
            groups = candidates.Count == 0 ? []
                : [CheckpointFields.LowerIsBetter(bestMetric) ? candidates.MinBy(x => x.BestMean) : candidates.MaxBy(x => x.BestMean)];
        }
        // At a loss some trials never get to, they are named, not silently averaged over the others.
        var notReached = request.At is CheckpointAt.AtLoss
            ? chosen.Select(i => study.Trials[i]).Where(t => MissedLoss(request.At, t, checkpoints)).Select(t => t.TrialId).ToList()
            : null;
        return new ResultsTable(request.StudyId, groupBy, request.Metrics, groups.Select(x => x.Group).ToList(), notReached);
    }

    /// <summary>At a loss, a trial that is a result (not diverged or stalled) but has no checkpoint down to it.</summary>
    private static bool MissedLoss(CheckpointAt at, TrialRow trial, Dictionary<string, Checkpoint> checkpoints) =>
        at is CheckpointAt.AtLoss && trial.End.IsResult() && !checkpoints.ContainsKey(trial.TrialId);

    private static MetricSummary Summarize(List<Checkpoint> points, string metric)
    {
        var values = new List<double>(points.Count);
        CheckpointFields.GetAll(points, metric, values);
        return Summarize(values);
    }

    private static List<(ResultGroup Group, double? BestMean)> Aggregate(
        StudyTrials study, List<int> chosen, IReadOnlyList<string> groupBy, Dictionary<string, Checkpoint> checkpoints, ResultsRequest request)
    {
        var members = new Dictionary<IReadOnlyList<ParameterValue>, List<TrialRow>>(ParameterKeyComparer.Instance);
        foreach (var i in chosen)
        {
            var key = study.Values(i, groupBy);
            if (!members.TryGetValue(key, out var trials))
            {
                members[key] = trials = [];
            }
            trials.Add(study.Trials[i]);
        }
        var groups = new List<(ResultGroup Group, double? BestMean)>(members.Count);
        foreach (var (key, trials) in members)
        {
            // A diverged or stalled trial's last numbers are not a result; it still counts among the group's trials.
            var points = new List<Checkpoint>(trials.Count);
            foreach (var trial in trials)
            {
                if (trial.End.IsResult() && checkpoints.TryGetValue(trial.TrialId, out var point))
                {
                    points.Add(point);
                }
            }
            var metrics = new Dictionary<string, MetricSummary>(StringComparer.Ordinal);
            foreach (var metric in request.Metrics)
            {
                metrics[metric] = Summarize(points, metric);
            }
            var bestMean = request.Best is { } best ? Summarize(points, best).Mean : null;
            var notReached = trials.Count(t => MissedLoss(request.At, t, checkpoints));
            groups.Add((new ResultGroup(key, trials.Count, metrics, trials.Count(t => t.Status == TrialStatus.Pruned),
                trials.Count(t => t.End == TrialEnd.Diverged), trials.Count(t => t.End == TrialEnd.Stalled), notReached), bestMean));
        }
        groups.Sort((a, b) => ParameterKeyComparer.Instance.Compare(a.Group.Key, b.Group.Key));
        return groups;
    }

    /// <summary>Mean, sample standard deviation (n - 1; none for one value), min and max of the values that exist.</summary>
    private static MetricSummary Summarize(List<double> xs)
    {
        if (xs.Count == 0)
        {
            return new MetricSummary(null, null, null, null, 0);
        }
        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var x in xs)
        {
            sum += x;
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }
        var mean = sum / xs.Count;
        var squares = 0.0;
        foreach (var x in xs)
        {
            squares += (x - mean) * (x - mean);
        }
        double? std = xs.Count > 1 ? Math.Sqrt(squares / (xs.Count - 1)) : null;
        return new MetricSummary(mean, std, min, max, xs.Count);
    }
}
