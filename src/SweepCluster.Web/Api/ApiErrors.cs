using Microsoft.AspNetCore.Http;
using SweepCluster.Query;

namespace SweepCluster.Web.Api;

/// <summary>A question the read model cannot answer (an unknown study, key or metric, an empty selection) is a 4xx with the same message the CLI gives.</summary>
internal sealed class ApiErrors(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (QueryException e) when (!context.Response.HasStarted)
        {
            context.Response.StatusCode = e.Message.StartsWith("there is no study", StringComparison.Ordinal) ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = e.Message });
        }
    }
}
