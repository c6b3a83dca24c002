using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SweepCluster.Query.ReadModel;
using SweepCluster.Web.Api;

namespace SweepCluster.Web;

/// <summary>The dashboard's web application: the API under /api, its OpenAPI description, and the pages.</summary>
public static class DashboardApp
{
    public static WebApplication Build(DashboardSettings settings)
    {
        if (settings.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(settings));
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(settings.Address, settings.Port, listen =>
        {
            if (settings.Certificate is { } certificate)
            {
                listen.UseHttps(certificate);
            }
        }));
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
            json.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        builder.Services.AddSingleton<IHostLifetime, HostedWithoutSignals>();
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(new ReadModelReader(settings.Store));
        builder.Services.AddSingleton<ReadModelViews>();

        var app = builder.Build();
        if (settings.Token is { Length: > 0 } token)
        {
            app.Use(TokenGate.Require(token));
        }
        app.UseMiddleware<ApiErrors>();
        app.MapGet("/", () => Results.Redirect("/index.html")).ExcludeFromDescription();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new EmbeddedFileProvider(typeof(DashboardApp).Assembly, "SweepCluster.Web.wwwroot") });
        app.MapOpenApi("/openapi/v1.json");
        var api = app.MapGroup("/api");
        StudiesApi.Map(api);
        ResultsApi.Map(api);
        CurvesApi.Map(api);
        CheckpointsApi.Map(api);
        TrialsApi.Map(api);
        LiveApi.Map(api);
        return app;
    }
}
