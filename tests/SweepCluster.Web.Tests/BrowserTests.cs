using System.Globalization;
using Microsoft.Playwright;
using SweepCluster.Protocol;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;
using SweepCluster.Query.Tests;
using SweepCluster.Trials;

namespace SweepCluster.Web.Tests;

/// <summary>
/// The pages in a real headless browser: Debian's Chromium driven by Playwright. Without
/// /usr/bin/chromium (apt-get install chromium) they skip and say so; .ci/run installs it.
/// </summary>
[Trait("Category", "Browser")]
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    private static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is not installed (apt-get install chromium): the browser tests need it");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // As root on a closed network: no sandbox, and no background connections that would be refused.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }

    [Fact]
    public async Task The_studies_page_lists_each_study_with_its_counts()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(new Uri(dashboard.Url, "/").ToString());
            var row = page.Locator("#studies tr[data-study='grid']");
            await Assertions.Expect(row.Locator("[data-count='completed']")).ToHaveTextAsync("12");
            await Assertions.Expect(row.Locator("[data-best]")).ToHaveTextAsync("4.2");
        }
    }

    [Fact]
    public async Task The_study_page_shows_the_results_numbers_draws_a_band_per_group_and_pages_the_trials()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        var expected = await new ResultsQuery(dashboard.Events.Reader).RunAsync(
            new ResultsRequest("grid", new CheckpointAt.Last(), ["algorithm", "lr"], ResultsQuery.DefaultMetrics, [], null));
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            var errors = new List<string>();
            page.PageError += (_, e) => errors.Add(e);
            await page.GotoAsync(new Uri(dashboard.Url, "/study.html?study=grid").ToString());
            await Assertions.Expect(page.Locator("#counts [data-count='completed']")).ToHaveTextAsync("12");
            await Assertions.Expect(page.Locator("#chart")).ToHaveAttributeAsync("data-groups", "4");
            await Assertions.Expect(page.Locator("#chart canvas")).ToHaveCountAsync(1);

            // The results table holds the numbers `results` computes, group by group.
            await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(expected.Groups.Count);
            var means = await page.Locator("#results td[data-metric='margin_l2']").EvaluateAllAsync<string[]>("cells => cells.map(c => c.dataset.mean)");
            Assert.Equal(expected.Groups.Select(g => g.Metrics["margin_l2"].Mean!.Value), means.Select(m => double.Parse(m, CultureInfo.InvariantCulture)));

            // Trials: 12 on one page; sorted by margin_l2 descending from its header, the best comes first.
            await Assertions.Expect(page.Locator("#page")).ToHaveAttributeAsync("data-total", "12");
            await page.Locator("#trials th", new() { HasText = "margin_l2" }).ClickAsync();
            await page.Locator("#trials th", new() { HasText = "margin_l2" }).ClickAsync();
            await Assertions.Expect(page.Locator("#trials tbody tr").First.Locator("td").Last.Locator("xpath=preceding-sibling::td[1]")).ToHaveTextAsync("4.2");
            await page.SelectOptionAsync("#status", "pruned");
            await Assertions.Expect(page.Locator("#page")).ToHaveAttributeAsync("data-total", "0");
            Assert.Empty(errors);
        }
    }

    [Fact]
    public async Task The_compare_page_draws_two_studies_groups_on_one_chart_and_the_study_page_a_scatter_per_configuration()
    {
        await using var dashboard = await DashboardFixture.StartAsync(fill: events =>
        {
            events.Study("grid", DashboardFixture.Grid().ToArray());
            events.Study("gd-only", DashboardFixture.Grid().Where(t => t.Spec.Algorithm == AlgorithmKind.Gd).ToArray());
        });
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(new Uri(dashboard.Url, "/compare.html?studies=grid,gd-only&metric=margin_l2").ToString());
            // grid: 4 groups (algorithm x lr); gd-only: 2 (lr).
            await Assertions.Expect(page.Locator("#chart")).ToHaveAttributeAsync("data-groups", "6");
            await Assertions.Expect(page.Locator("#chart .u-legend")).ToContainTextAsync("gd-only: 0.1");
            await page.Locator("#choices input[value='gd-only']").UncheckAsync();
            await Assertions.Expect(page.Locator("#chart")).ToHaveAttributeAsync("data-groups", "4");

            await page.GotoAsync(new Uri(dashboard.Url, "/study.html?study=grid").ToString());
            await Assertions.Expect(page.Locator("#scatter-key")).ToHaveValueAsync("lr");
            await Assertions.Expect(page.Locator("#scatter")).ToHaveAttributeAsync("data-points", "4");
        }
    }

    [Fact]
    public async Task A_running_study_s_counts_and_chart_update_without_a_reload()
    {
        var definitions = DashboardFixture.Grid().Take(3).Select(t => (t.Spec, t.Checkpoints, Id: TrialJson.StableId(t.Spec))).ToList();
        var at = DateTimeOffset.UnixEpoch;
        await using var dashboard = await DashboardFixture.StartAsync(fill: events =>
        {
            events.Add("live", new StudyCreated("live", "running", 2, at));
            events.Add("live", new TrialsAdded(definitions.Select(d => new TrialDefinition(d.Id, TrialJson.Serialize(d.Spec))).ToList(), at));
            events.Add("live", new TrialAssigned(definitions[0].Id, 1, "node", null, at));
            events.Add("live", new CheckpointsRecorded(definitions[0].Id, 1, 0, definitions[0].Checkpoints[..3]));
        });
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(new Uri(dashboard.Url, "/study.html?study=live").ToString());
            await Assertions.Expect(page.Locator("#counts [data-count='running']")).ToHaveTextAsync("1");
            await Assertions.Expect(page.Locator("#counts [data-count='completed']")).ToHaveTextAsync("0");
            var before = await page.Locator("#results td[data-metric='margin_l2']").First.GetAttributeAsync("data-mean");

            // The study moves on while the page is open: the trial finishes.
            var last = definitions[0].Checkpoints[^1];
            dashboard.Events.Add("live", new CheckpointsRecorded(definitions[0].Id, 1, 1, definitions[0].Checkpoints[3..]));
            dashboard.Events.Add("live", new TrialCompleted(definitions[0].Id, 1, TrialEnd.Completed, last.Step, null, last, null, at));
            await dashboard.Events.ProjectAsync(batchSize: 50);

            await Assertions.Expect(page.Locator("#counts [data-count='completed']")).ToHaveTextAsync("1", new() { Timeout = 15_000 });
            await Assertions.Expect(page.Locator("#counts [data-count='running']")).ToHaveTextAsync("0");
            await Assertions.Expect(page.Locator("#results td[data-metric='margin_l2']").First).Not.ToHaveAttributeAsync("data-mean", before ?? "", new() { Timeout = 15_000 });
        }
    }
}
