using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace SweepCluster.Web.Api;

/// <summary>
/// Lets a request through only with the dashboard's token: as a bearer header (scripts), or once as
/// <c>?token=</c> on a page, which then keeps it in a same-site cookie for the page's own API calls.
/// </summary>
internal static class TokenGate
{
    public const string Cookie = "sweepcluster_token";

    public static Func<HttpContext, RequestDelegate, Task> Require(string token)
    {
        var expected = Encoding.UTF8.GetBytes(token);
        return async (context, next) =>
        {
            var given = Given(context);
            if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new { error = "this dashboard needs its token: Authorization: Bearer TOKEN, or ?token=TOKEN on a page" });
                return;
            }
            if (context.Request.Query.ContainsKey("token"))
            {
                context.Response.Cookies.Append(Cookie, given, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
            }
            await next(context);
        };
    }

    private static string? Given(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return header["Bearer ".Length..].Trim();
        }
        return context.Request.Query.TryGetValue("token", out var query) ? query.ToString()
            : context.Request.Cookies.TryGetValue(Cookie, out var cookie) ? cookie : null;
    }
}
