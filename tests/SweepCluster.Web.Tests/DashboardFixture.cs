using System.Net;
using Microsoft.AspNetCore.Builder;
using SweepCluster.Query.Tests;
using SweepCluster.Trials;

namespace SweepCluster.Web.Tests;

/// <summary>A dashboard on a free loopback port over a read model the test fills with a study's events.</summary>
internal sealed class DashboardFixture : IAsyncDisposable
{
    private DashboardFixture(StudyEvents events, WebApplication app)
    {
        Events = events;
        App = app;
        Url = new Uri(app.Urls.First());
        Http = new HttpClient { BaseAddress = Url };
    }

    public StudyEvents Events { get; }

    public WebApplication App { get; }

    public Uri Url { get; }

    public HttpClient Http { get; }

    /// <summary>Two algorithms x two learning rates x three seeds, each trial's margin_l2 ending at a known value.</summary>
    public static IEnumerable<(TrialSpec Spec, Checkpoint[] Checkpoints)> Grid() =>
        from algorithm in new[] { AlgorithmKind.Gd, AlgorithmKind.Sign }
        from lr in new[] { 0.1, 0.2 }
        from seed in new[] { 0, 1, 2 }
        let final = (algorithm == AlgorithmKind.Gd ? 1.0 : 2.0) + (lr * 10) + (seed * 0.1)
        select (StudyEvents.Spec(algorithm, lr, seed), Enumerable.Range(0, 11).Select(i => StudyEvents.Checkpoint(i * 10, final * i / 10)).ToArray());

    public static async Task<DashboardFixture> StartAsync(string? token = null, Action<StudyEvents>? fill = null)
    {
        var events = new StudyEvents();
        (fill ?? (e => e.Study("grid", Grid().ToArray())))(events);
        await events.ProjectAsync(batchSize: 50);
        var app = DashboardApp.Build(new DashboardSettings(events.Store, IPAddress.Loopback, 0, token));
        await app.StartAsync();
        return new DashboardFixture(events, app);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Events.Dispose();
    }
}
