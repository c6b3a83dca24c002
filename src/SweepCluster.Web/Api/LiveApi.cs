using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace SweepCluster.Web.Api;

/// <summary>
/// Server-sent events for a study page: its summary whenever the read model has moved on (checked every
/// second), so counts and charts follow a running study without a reload.
/// </summary>
internal static class LiveApi
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/studies/{study}/live", StreamAsync)
            .WithSummary("Server-sent events: a `status` event with the study's summary each time the read model changes.");

    private static async Task StreamAsync(string study, HttpContext context, ReadModelViews views, IOptions<JsonOptions> json, CancellationToken cancellation)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var sent = -1L;
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                var version = await views.Reader.VersionAsync(cancellation);
                if (version != sent)
                {
                    var summary = await StudiesApi.SummaryAsync(views, study, cancellation);
                    await context.Response.WriteAsync($"event: status\ndata: {JsonSerializer.Serialize(summary, json.Value.SerializerOptions)}\n\n", cancellation);
                    await context.Response.Body.FlushAsync(cancellation);
                    sent = version;
                }
                await Task.Delay(Every, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The page went away.
        }
    }
}
