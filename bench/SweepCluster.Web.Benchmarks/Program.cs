using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

// dotnet SweepCluster.Web.Benchmarks.dll api BASE_URL STUDY [rounds]      every API call: the first (cold) and the p50/p95 of the rest (warm)
// dotnet SweepCluster.Web.Benchmarks.dll pages BASE_URL STUDY [rounds]    every page in Chromium, until its content is drawn
// dotnet SweepCluster.Web.Benchmarks.dll screenshot URL FILE [width] [height]
if (args.Length < 3 || args[0] is not ("api" or "pages" or "screenshot"))
{
    Console.Error.WriteLine("usage: api BASE_URL STUDY [rounds=20] | pages BASE_URL STUDY [rounds=10] | screenshot URL FILE [width=1400] [height=1400]");
    return 2;
}
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
switch (args[0])
{
    case "api":
        await Api(new Uri(args[1]), args[2], Arg(3, 20));
        break;
    case "pages":
        await Pages(new Uri(args[1]), args[2], Arg(3, 10));
        break;
    default:
        await Screenshot(args[1], args[2], Arg(3, 1400), Arg(4, 1400));
        break;
}
return 0;

static string Report(string name, double cold, List<double> warm)
{
    warm.Sort();
    double P(double q) => warm[Math.Min(warm.Count - 1, (int)Math.Ceiling(q * warm.Count) - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"| {name} | {cold * 1000:F0} | {P(0.5) * 1000:F0} | {P(0.95) * 1000:F0} |");
}

static async Task Api(Uri baseUrl, string study, int rounds)
{
    using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(10) };
    var s = Uri.EscapeDataString(study);
    var firstTrial = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/studies/{s}/trials?limit=1", UriKind.Relative)))
        .RootElement.GetProperty("trials")[0].GetProperty("trial_id").GetString();
    string[] calls =
    [
        "/api/studies",
        $"/api/studies/{s}",
        $"/api/studies/{s}/results",
        $"/api/studies/{s}/results?format=csv",
        $"/api/studies/{s}/results?group_by=algorithm&at=step%3D50",
        $"/api/studies/{s}/curves?metric=margin_l2",
        $"/api/studies/{s}/curves?metric=loss&group_by=algorithm",
        $"/api/studies/{s}/trials?limit=50",
        $"/api/studies/{s}/trials?limit=50&sort=margin_l2&order=desc",
        $"/api/studies/{s}/trials?offset=5000&limit=50&status=completed&sort=lr",
        $"/api/studies/{s}/trials/{firstTrial}",
    ];
    Console.WriteLine("| call | first (ms) | p50 warm (ms) | p95 warm (ms) |");
    Console.WriteLine("| --- | ---: | ---: | ---: |");
    foreach (var call in calls)
    {
        var clock = Stopwatch.StartNew();
        await Fetch(http, call);
        var cold = clock.Elapsed.TotalSeconds;
        var warm = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            clock.Restart();
            await Fetch(http, call);
            warm.Add(clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine(Report($"`GET {call.Replace(s, "STUDY", StringComparison.Ordinal).Replace(firstTrial!, "TRIAL", StringComparison.Ordinal)}`", cold, warm));
    }
}

static async Task Fetch(HttpClient http, string path)
{
    using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
    var body = await response.Content.ReadAsByteArrayAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
    }
}

static async Task<(IPlaywright, IBrowser)> Launch()
{
    var playwright = await Playwright.CreateAsync();
    var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    return (playwright, browser);
}

static async Task Pages(Uri baseUrl, string study, int rounds)
{
    var (playwright, browser) = await Launch();
    using var _ = playwright;
    await using var __ = browser;
    var page = await browser.NewPageAsync();
    var s = Uri.EscapeDataString(study);
    var firstTrial = await page.APIRequest.GetAsync(new Uri(baseUrl, $"/api/studies/{s}/trials?limit=1").ToString())
        .ContinueWith(t => JsonDocument.Parse(t.Result.TextAsync().Result).RootElement.GetProperty("trials")[0].GetProperty("trial_id").GetString(), TaskScheduler.Default);
    (string Name, string Path, string[] Ready)[] pages =
    [
        ("studies", "/index.html", ["#studies tbody tr"]),
        ("a study: counts, curves, results, trials", $"/study.html?study={s}", ["#chart[data-groups] canvas", "#results tbody tr", "#page[data-total]"]),
        ("a trial", $"/trial.html?study={s}&trial={firstTrial}", ["#chart canvas"]),
    ];
    Console.WriteLine("| page (until drawn) | first (ms) | p50 warm (ms) | p95 warm (ms) |");
    Console.WriteLine("| --- | ---: | ---: | ---: |");
    foreach (var (name, path, ready) in pages)
    {
        async Task<double> Load()
        {
            var clock = Stopwatch.StartNew();
            await page.GotoAsync(new Uri(baseUrl, path).ToString());
            foreach (var selector in ready)
            {
                await page.Locator(selector).First.WaitForAsync(new() { Timeout = 600_000 });
            }
            return clock.Elapsed.TotalSeconds;
        }
        var cold = await Load();
        var warm = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            warm.Add(await Load());
        }
        Console.WriteLine(Report(name, cold, warm));
    }
    // Responsiveness: a sort of the trials table, from the click to the re-drawn first row.
    await page.GotoAsync(new Uri(baseUrl, $"/study.html?study={s}").ToString());
    await page.Locator("#page[data-total]").WaitForAsync();
    var sorts = new List<double>();
    for (var i = 0; i < rounds; i++)
    {
        var before = await page.Locator("#trials tbody tr").First.InnerTextAsync();
        var clock = Stopwatch.StartNew();
        await page.Locator("#trials th", new() { HasText = "margin_l2" }).ClickAsync();
        await page.WaitForFunctionAsync("b => document.querySelector('#trials tbody tr')?.innerText !== b", before);
        sorts.Add(clock.Elapsed.TotalSeconds);
    }
    Console.WriteLine(Report("trials re-sorted by margin_l2 (click to redrawn)", sorts[0], sorts.Skip(1).ToList()));
}

static async Task Screenshot(string url, string file, int width, int height)
{
    var (playwright, browser) = await Launch();
    using var _ = playwright;
    await using var __ = browser;
    var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
    await page.GotoAsync(url);
    // The study page keeps a live connection open, so "network idle" never comes: wait for the chart instead.
    await page.Locator("canvas").First.WaitForAsync(new() { Timeout = 600_000 });
    await page.WaitForTimeoutAsync(1500);
    await page.ScreenshotAsync(new() { Path = file, FullPage = false });
    Console.WriteLine($"{file}: {url}");
}
