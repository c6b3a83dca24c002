using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using System.Text.Json.Serialization;
using Parquet.Serialization;
using SweepCluster.Query;
using SweepCluster.Query.Plots;
using SweepCluster.Query.Results;

namespace SweepCluster.Web.Api;

/// <summary>One group's curve of a metric, reduced on the server: mean and standard deviation over its seeds at each kept step.</summary>
public sealed record GroupCurve(string Label, int Trials, int Pruned, double[] Steps, double[] Mean, double[] Std, int Stalled = 0);

public sealed record StudyCurves(string StudyId, string Metric, IReadOnlyList<string> GroupBy, int Points, IReadOnlyList<GroupCurve> Groups);

/// <summary>
/// Curves per group, as <c>sweepcluster plot</c> draws them, with at most <c>points</c> steps per group: the
/// browser never receives every checkpoint of every trial.
/// </summary>
internal static class CurvesApi
{
    public const int DefaultPoints = 400;

    public const int MostPoints = 5000;

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/studies/{study}/curves", GetAsync)
            .WithSummary("A metric's curve per group: mean and std over seeds at each step, at most `points` steps per group (half spread evenly in log step, half in step); format=json or parquet (a row per group and step).");

    private static async Task<IResult> GetAsync(
        string study, ReadModelViews views, CancellationToken cancellation,
        [FromQuery] string metric = "margin_l2", [FromQuery(Name = "group_by")] string? groupBy = null, [FromQuery] string[]? where = null,
        [FromQuery] int points = DefaultPoints, [FromQuery] string format = "json")
    {
        var curves = await CurvesAsync(study, views, metric, groupBy, where, points, cancellation);
        switch (format)
        {
            case "json":
                return Results.Ok(curves);
            case "parquet":
                var rows = curves.Groups.SelectMany(g => g.Steps.Select((step, i) => new BandRow
                {
                    Group = g.Label, Trials = g.Trials, Pruned = g.Pruned, Step = (long)step, Mean = g.Mean[i], Std = g.Std[i],
                })).ToList();
                var stream = new MemoryStream();
                await ParquetSerializer.SerializeAsync(rows, stream, cancellationToken: cancellation);
                return Results.Bytes(stream.ToArray(), "application/vnd.apache.parquet", $"{study}-{metric}-curves.parquet");
            default:
                throw new QueryException($"format '{format}': expected json or parquet");
        }
    }

    /// <summary>A row of the Parquet form: one group at one kept step.</summary>
    private sealed class BandRow
    {
        [JsonPropertyName("group")]
        public string Group { get; init; } = "";

        [JsonPropertyName("trials")]
        public int Trials { get; init; }

        [JsonPropertyName("pruned")]
        public int Pruned { get; init; }

        [JsonPropertyName("step")]
        public long Step { get; init; }

        [JsonPropertyName("mean")]
        public double Mean { get; init; }

        [JsonPropertyName("std")]
        public double Std { get; init; }
    }

    private static async Task<StudyCurves> CurvesAsync(string study, ReadModelViews views, string metric, string? groupBy, string[]? where, int points, CancellationToken cancellation)
    {
        if (points is < 2 or > MostPoints)
        {
            throw new QueryException($"points {points}: expected 2 to {MostPoints}");
        }
        var filters = Query.Filters(where);
        return await views.GetAsync($"curves/{study}/{metric}/{groupBy}/{string.Join('&', where ?? [])}/{points}", async c =>
        {
            var trials = await views.TrialsAsync(study, c);
            var keys = Query.List(groupBy) is { Count: > 0 } named ? named : trials.Parameters.DefaultGroups(trials.Parameters.Varying());
            var bands = await new PlotQuery(views.Reader).BandsAsync(trials, metric, keys, filters, c);
            return new StudyCurves(study, metric, keys, points, bands.Select(b => Reduce(b, points)).ToList());
        }, cancellation);
    }

    private static GroupCurve Reduce(CurveBand band, int points)
    {
        var kept = Downsample.Indices(band.Steps, points);
        return new GroupCurve(band.Label, band.Trials, band.Pruned,
            kept.Select(i => band.Steps[i]).ToArray(), kept.Select(i => band.Mean[i]).ToArray(), kept.Select(i => band.Std[i]).ToArray(), band.Stalled);
    }
}
