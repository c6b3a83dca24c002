using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using SweepCluster.Query;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;

namespace SweepCluster.Web.Api;

/// <summary>The numbers of <c>sweepcluster results</c>: each group's seeds aggregated at one point of their training, as JSON or CSV.</summary>
internal static class ResultsApi
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/studies/{study}/results", GetAsync)
            .WithSummary("Results per group (mean, std, min, max, count over seeds), as `sweepcluster results` computes them; format=csv for pandas.");

    private static async Task<IResult> GetAsync(
        string study, ReadModelViews views, CancellationToken cancellation,
        [FromQuery(Name = "group_by")] string? groupBy = null, [FromQuery] string[]? where = null, [FromQuery] string? at = null,
        [FromQuery] string? metrics = null, [FromQuery] string? best = null, [FromQuery] string format = "json")
    {
        var point = CheckpointAt.Parse(at) ?? throw new QueryException($"at '{at}': expected {CheckpointAt.Forms}");
        var chosen = Query.List(metrics) is { Count: > 0 } named ? named : [.. ResultsQuery.DefaultMetrics];
        if (best is not null && !chosen.Contains(best))
        {
            chosen.Insert(0, best);
        }
        var keys = Query.List(groupBy);
        var filters = Query.Filters(where);
        var request = new ResultsRequest(study, point, keys.Count > 0 ? keys : null, chosen, filters, best);
        var table = await views.GetAsync($"results/{study}/{groupBy}/{string.Join('&', where ?? [])}/{at}/{metrics}/{best}",
            async c => await new ResultsQuery(views.Reader).RunAsync(await views.TrialsAsync(study, c), request, c), cancellation);
        var stream = new MemoryStream();
        switch (format)
        {
            case "csv":
                await using (var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true))
                {
                    ResultsFormats.WriteCsv(table, writer);
                }
                return Results.Bytes(stream.ToArray(), "text/csv; charset=utf-8", $"{study}-results.csv");
            case "json":
                ResultsFormats.WriteJson(table, at ?? "final", stream);
                return Results.Bytes(stream.ToArray(), "application/json");
            default:
                throw new QueryException($"format '{format}': expected json or csv");
        }
    }
}
