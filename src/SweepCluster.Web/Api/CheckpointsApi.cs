using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using SweepCluster.Query;
using SweepCluster.Query.Curves;

namespace SweepCluster.Web.Api;

/// <summary>Every checkpoint of the chosen trials at full resolution, as <c>sweepcluster curves</c> writes them: a download for pandas or pyarrow.</summary>
internal static class CheckpointsApi
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/studies/{study}/checkpoints", GetAsync)
            .WithSummary("Every checkpoint of the chosen trials (trial, where=key=value), full resolution, as Parquet or CSV: the columns of `sweepcluster curves`.");

    private static async Task<IResult> GetAsync(
        string study, ReadModelViews views, CancellationToken cancellation,
        [FromQuery] string[]? trial = null, [FromQuery] string[]? where = null, [FromQuery] string format = "parquet")
    {
        if (format is not ("parquet" or "csv"))
        {
            throw new QueryException($"format '{format}': expected parquet or csv");
        }
        var curves = new CurvesQuery(views.Reader);
        var (keys, numeric, trials) = await curves.SelectAsync(study, Query.Filters(where), trial ?? [], cancellation);
        // Written whole to a temporary file first: a failure half-way is an error, not a truncated download.
        var path = Path.GetTempFileName();
        await using (var file = File.Create(path))
        {
            if (format == "parquet")
            {
                await using var writer = new ParquetCurveWriter(file, keys, numeric);
                await curves.WriteAsync(study, trials, writer, cancellation);
            }
            else
            {
                await using var text = new StreamWriter(file);
                await curves.WriteAsync(study, trials, new CsvCurveWriter(text, keys), cancellation);
            }
        }
        var download = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        return Results.Stream(download, format == "parquet" ? "application/vnd.apache.parquet" : "text/csv; charset=utf-8", $"{study}-checkpoints.{format}");
    }
}
