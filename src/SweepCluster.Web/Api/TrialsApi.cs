using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Study;
using SweepCluster.Query;
using SweepCluster.Query.Results;
using SweepCluster.Trials;

namespace SweepCluster.Web.Api;

/// <summary>A trial in the list: its state (pending, running, completed, diverged, failed or pruned), its swept keys and its latest values.</summary>
public sealed record TrialListRow(
    string TrialId, int Ordinal, string State, TrialEnd? End, long LastStep, int Steps, string? Reason,
    IReadOnlyDictionary<string, string> Keys, IReadOnlyDictionary<string, double?> Latest);

public sealed record TrialPage(string StudyId, int Total, int Offset, int Limit, string Sort, string Order, IReadOnlyList<string> Keys, IReadOnlyList<TrialListRow> Trials);

public sealed record TrialCurve(string StudyId, string TrialId, string State, JsonNode? Spec, IReadOnlyList<string> Metrics, double[] Steps, IReadOnlyDictionary<string, double?[]> Values);

/// <summary>A study's trials, paged, sorted and filtered on the server; and one trial's spec and curves.</summary>
internal static class TrialsApi
{
    public const int MostPerPage = 500;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/studies/{study}/trials", ListAsync)
            .WithSummary("A page of trials: sort by ordinal, status, last_step, a swept key or a metric of the latest checkpoint; filter by status and where=key=value.");
        api.MapGet("/studies/{study}/trials/{trial}", GetAsync)
            .WithSummary("One trial: its spec and its checkpoints, at most `points` of them.");
    }

    private static async Task<TrialPage> ListAsync(
        string study, ReadModelViews views, CancellationToken cancellation,
        [FromQuery] int offset = 0, [FromQuery] int limit = 50, [FromQuery] string sort = "ordinal", [FromQuery] string order = "asc",
        [FromQuery] string? status = null, [FromQuery] string[]? where = null)
    {
        if (limit is < 1 or > MostPerPage || offset < 0)
        {
            throw new QueryException($"offset {offset}, limit {limit}: expected offset >= 0 and 1 <= limit <= {MostPerPage}");
        }
        if (order is not ("asc" or "desc"))
        {
            throw new QueryException($"order '{order}': expected asc or desc");
        }
        var filters = Query.Filters(where);
        var trials = await views.TrialsAsync(study, cancellation);
        var keys = trials.Parameters.Varying();
        var states = Query.List(status).Select(ParseStatus).ToHashSet();
        var chosen = trials.Matching(filters).Where(i => states.Count == 0 || states.Contains(State(trials.Trials[i]))).ToList();
        var sorted = Sorted(trials, chosen, sort, order == "desc");
        var rows = sorted.Skip(offset).Take(limit).Select(i => Row(trials, i, keys)).ToList();
        return new TrialPage(study, chosen.Count, offset, limit, sort, order, keys, rows);
    }

    private static string State(SweepCluster.Query.ReadModel.TrialRow trial) => TrialState.Of(trial.Status, trial.End);

    private static string ParseStatus(string text) => TrialState.All.Contains(text)
        ? text
        : throw new QueryException($"status '{text}': expected {string.Join(", ", TrialState.All)}");

    private static List<int> Sorted(StudyTrials trials, List<int> chosen, string sort, bool descending)
    {
        var rows = trials.Trials;
        Comparison<int> compare = sort switch
        {
            "ordinal" => (a, b) => rows[a].Ordinal.CompareTo(rows[b].Ordinal),
            "status" => (a, b) => string.CompareOrdinal(State(rows[a]), State(rows[b])),
            "last_step" => (a, b) => rows[a].LastStep.CompareTo(rows[b].LastStep),
            _ when MetricRegistry.Find(sort) is { } metric => (a, b) => Nullable.Compare(Value(metric, a), Value(metric, b)),
            _ when trials.Parameters.HasKey(sort) => (a, b) => ParameterValue.Compare(trials.Parameters.Value(a, sort), trials.Parameters.Value(b, sort)),
            _ => throw new QueryException($"sort '{sort}': expected ordinal, status, last_step, a metric ({string.Join(", ", MetricRegistry.Names)}) or a key of the study ({string.Join(", ", trials.Parameters.Keys.Order(StringComparer.Ordinal))})"),
        };
        double? Value(Metric metric, int i) => rows[i].Latest is { } c ? metric.Finite(c) : null;
        Func<int, bool> missing = MetricRegistry.Find(sort) is { } sorted ? i => Value(sorted, i) is null : _ => false;
        var order = chosen.ToList();
        // Trials without a value go last either way; ties keep the study's order.
        order.Sort((a, b) =>
        {
            var byPresence = missing(a).CompareTo(missing(b));
            var byKey = descending ? compare(b, a) : compare(a, b);
            return byPresence != 0 ? byPresence : byKey != 0 ? byKey : rows[a].Ordinal.CompareTo(rows[b].Ordinal);
        });
        return order;
    }

    private static TrialListRow Row(StudyTrials trials, int index, IReadOnlyList<string> keys)
    {
        var t = trials.Trials[index];
        var values = trials.Values(index, keys);
        return new TrialListRow(t.TrialId, t.Ordinal, State(t), t.End, Math.Max(t.LastStep, 0), t.Steps, t.Reason,
            keys.Select((k, i) => (k, values[i].Text)).ToDictionary(p => p.k, p => p.Text, StringComparer.Ordinal),
            MetricRegistry.All.Where(m => m.Name != "step").ToDictionary(m => m.Name, m => t.Latest is { } c ? m.Finite(c) : null, StringComparer.Ordinal));
    }

    private static async Task<IResult> GetAsync(string study, string trial, ReadModelViews views, CancellationToken cancellation, [FromQuery] int points = CurvesApi.DefaultPoints)
    {
        var trials = await views.TrialsAsync(study, cancellation);
        var row = trials.Trials.FirstOrDefault(t => t.TrialId == trial);
        if (row is null)
        {
            return Results.NotFound(new { error = $"study '{study}' has no trial '{trial}'" });
        }
        var checkpoints = await views.Reader.TrialCheckpointsAsync(study, trial, cancellation);
        var steps = checkpoints.Select(c => (double)c.Step).ToArray();
        var kept = Downsample.Indices(steps, Math.Clamp(points, 2, CurvesApi.MostPoints));
        var metrics = MetricRegistry.All.Where(m => m.Name != "step").ToList();
        return Results.Ok(new TrialCurve(study, trial, State(row), JsonNode.Parse(row.SpecJson), metrics.Select(m => m.Name).ToList(),
            kept.Select(i => steps[i]).ToArray(),
            metrics.ToDictionary(m => m.Name, m => kept.Select(i => m.Finite(checkpoints[i])).ToArray(), StringComparer.Ordinal)));
    }
}
