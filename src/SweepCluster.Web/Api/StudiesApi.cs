using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Study;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;

namespace SweepCluster.Web.Api;

/// <summary>A study at a glance: what it is, its trials by state, how far it is, and its best final margin_l2 so far.</summary>
public sealed record StudySummary(
    string StudyId, string? Description, StudyPhase Phase, DateTimeOffset? CreatedAt, DateTimeOffset? FinishedAt, double? ElapsedSeconds,
    double? EtaSeconds, int Trials, int Pending, int Running, int Completed, int Diverged, int Failed, int Pruned, double Progress,
    string BestMetric, double? Best, int Stalled = 0);

/// <summary>
/// One study with what its pages offer to choose from: the keys that vary across its trials (those with
/// a number for every trial, seed aside, can be an axis), its default grouping, and the metrics.
/// </summary>
public sealed record StudyDetail(StudySummary Study, IReadOnlyList<string> SweptKeys, IReadOnlyList<string> NumericKeys, IReadOnlyList<string> DefaultGroupBy, IReadOnlyList<string> Metrics);

internal static class StudiesApi
{
    public const string BestMetric = "margin_l2";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/studies", ListAsync).WithSummary("Every study in the store, with counts, progress and its best final margin_l2.");
        api.MapGet("/studies/{study}", GetAsync).WithSummary("One study: its summary, the keys it sweeps and the metrics it records.");
    }

    private static async Task<IReadOnlyList<StudySummary>> ListAsync(ReadModelViews views, CancellationToken cancellation) =>
        await views.GetAsync("studies", async c => await SummariesAsync(views.Reader, null, c), cancellation);

    private static async Task<IResult> GetAsync(string study, ReadModelViews views, CancellationToken cancellation)
    {
        var summary = await SummaryAsync(views, study, cancellation);
        if (summary is null)
        {
            return Results.NotFound(new { error = $"there is no study '{study}'" });
        }
        var keys = await views.GetAsync($"keys/{study}", async c =>
        {
            var trials = await views.TrialsAsync(study, c);
            var varying = trials.Parameters.Varying();
            var numeric = varying.Where(k => k != "seed" && Enumerable.Range(0, trials.Trials.Count).All(i => trials.Parameters.Value(i, k).Number is not null)).ToList();
            return new KeyChoice(varying, numeric, trials.Parameters.DefaultGroups(varying));
        }, cancellation);
        return Results.Ok(new StudyDetail(summary, keys.Swept, keys.Numeric, keys.DefaultGroupBy, MetricRegistry.Names.Where(n => n != "step").ToList()));
    }

    private sealed record KeyChoice(IReadOnlyList<string> Swept, IReadOnlyList<string> Numeric, IReadOnlyList<string> DefaultGroupBy);

    /// <summary>One study's summary, kept while the read model does not change (null: no such study).</summary>
    public static async Task<StudySummary?> SummaryAsync(ReadModelViews views, string study, CancellationToken cancellation) =>
        (await views.GetAsync($"summary/{study}", c => SummariesAsync(views.Reader, study, c), cancellation)).SingleOrDefault();

    private static async Task<IReadOnlyList<StudySummary>> SummariesAsync(ReadModelReader reader, string? study, CancellationToken cancellation)
    {
        var studies = await reader.StudiesAsync(study, cancellation);
        var counts = await reader.CountsAsync(study, cancellation);
        var best = await reader.BestFinalAsync(BestMetric, study, cancellation);
        var now = DateTimeOffset.UtcNow;
        return studies.Select(s =>
        {
            var c = counts.GetValueOrDefault(s.StudyId) ?? StudyCounts.None;
            var elapsed = s.CreatedAt is { } created ? ((s.FinishedAt ?? now) - created).TotalSeconds : (double?)null;
            // From the study's pace so far: what is left at the rate it has gone, while it runs.
            var eta = s.Phase == StudyPhase.Running && elapsed is > 0 && c.Progress is > 0 and < 1 ? elapsed * (1 - c.Progress) / c.Progress : null;
            return new StudySummary(s.StudyId, s.Description, s.Phase, s.CreatedAt, s.FinishedAt, elapsed, eta, c.Trials, c.Pending, c.Running,
                c.Completed, c.Diverged, c.Failed, c.Pruned, c.Progress, BestMetric, best.TryGetValue(s.StudyId, out var b) ? b : null, c.Stalled);
        }).ToList();
    }
}
