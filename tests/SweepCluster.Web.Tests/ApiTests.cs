using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Web.Tests;

public sealed class ApiTests
{
    private static async Task<JsonElement> Json(HttpClient http, string path)
    {
        var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task Studies_are_listed_with_their_counts_progress_and_best_final_margin()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        var study = (await Json(dashboard.Http, "/api/studies")).EnumerateArray().Single();
        Assert.Equal("grid", study.GetProperty("study_id").GetString());
        Assert.Equal("finished", study.GetProperty("phase").GetString());
        Assert.Equal((12, 12, 0), (study.GetProperty("trials").GetInt32(), study.GetProperty("completed").GetInt32(), study.GetProperty("pending").GetInt32()));
        Assert.Equal(1.0, study.GetProperty("progress").GetDouble());
        // sign, lr 0.2, seed 2: 2 + 2 + 0.2.
        Assert.Equal(4.2, study.GetProperty("best").GetDouble(), 9);
    }

    [Fact]
    public async Task Results_are_the_numbers_of_the_results_query_as_json_and_csv()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        var expected = await new ResultsQuery(dashboard.Events.Reader).RunAsync(
            new ResultsRequest("grid", new CheckpointAt.Last(), ["algorithm", "lr"], ["margin_l2"], [], null));
        var json = await Json(dashboard.Http, "/api/studies/grid/results?group_by=algorithm,lr&metrics=margin_l2");
        var groups = json.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(expected.Groups.Count, groups.Count);
        foreach (var (group, want) in groups.Zip(expected.Groups))
        {
            var m = group.GetProperty("metrics").GetProperty("margin_l2");
            Assert.Equal(want.Metrics["margin_l2"].Mean!.Value, m.GetProperty("mean").GetDouble(), 12);
            Assert.Equal(want.Metrics["margin_l2"].Std!.Value, m.GetProperty("std").GetDouble(), 12);
            Assert.Equal(3, group.GetProperty("trials").GetInt32());
        }
        var csv = await dashboard.Http.GetStringAsync(new Uri("/api/studies/grid/results?group_by=algorithm,lr&metrics=margin_l2&format=csv", UriKind.Relative));
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("algorithm,lr,trials,margin_l2_mean,margin_l2_std,margin_l2_min,margin_l2_max,margin_l2_count,pruned,diverged,stalled", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("gd,0.1,3,2.1", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Curves_are_reduced_on_the_server_to_a_band_per_group_with_at_most_the_points_asked()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        var curves = await Json(dashboard.Http, "/api/studies/grid/curves?metric=margin_l2&group_by=algorithm&points=4");
        var groups = curves.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(["gd", "sign"], groups.Select(g => g.GetProperty("label").GetString()));
        var gd = groups[0];
        Assert.Equal(6, gd.GetProperty("trials").GetInt32());
        var steps = gd.GetProperty("steps").EnumerateArray().Select(s => s.GetDouble()).ToList();
        Assert.True(steps.Count <= 4, $"{steps.Count} points");
        Assert.Equal((0.0, 100.0), (steps[0], steps[^1]));
        // At step 100 gd's six trials end at 2.0..2.2 and 3.0..3.2: mean 2.6.
        Assert.Equal(2.6, gd.GetProperty("mean").EnumerateArray().Last().GetDouble(), 9);
    }

    [Fact]
    public async Task Curves_come_as_parquet_too_and_every_checkpoint_as_a_download()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        var bytes = await dashboard.Http.GetByteArrayAsync(new Uri("/api/studies/grid/curves?metric=margin_l2&group_by=algorithm&format=parquet", UriKind.Relative));
        await using var table = await Parquet.ParquetReader.CreateAsync(new MemoryStream(bytes));
        var fields = table.Schema.GetDataFields();
        Assert.Equal(["group", "trials", "pruned", "step", "mean", "std"], fields.Select(f => f.Name));
        using var rows = table.OpenRowGroupReader(0);
        var groups = new string?[rows.RowCount];
        await rows.ReadAsync(fields[0], groups.AsMemory());
        Assert.Equal(22, groups.Length);
        Assert.Equal(["gd", "sign"], groups.Distinct());

        var csv = await dashboard.Http.GetStringAsync(new Uri("/api/studies/grid/checkpoints?format=csv&where=algorithm=gd", UriKind.Relative));
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.StartsWith("trial_id,", lines[0], StringComparison.Ordinal);
        Assert.Equal(6 * 11, lines.Length - 1);
        var parquet = await dashboard.Http.GetByteArrayAsync(new Uri("/api/studies/grid/checkpoints", UriKind.Relative));
        await using var all = await Parquet.ParquetReader.CreateAsync(new MemoryStream(parquet));
        using var checkpoints = all.OpenRowGroupReader(0);
        Assert.Equal(12 * 11, checkpoints.RowCount);
    }

    [Fact]
    public async Task Trials_are_paged_sorted_and_filtered_on_the_server()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        var page = await Json(dashboard.Http, "/api/studies/grid/trials?limit=5&offset=0&sort=margin_l2&order=desc&where=algorithm=sign");
        Assert.Equal(6, page.GetProperty("total").GetInt32());
        var margins = page.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("latest").GetProperty("margin_l2").GetDouble()).ToList();
        Assert.Equal(5, margins.Count);
        Assert.Equal(margins.OrderDescending(), margins);
        Assert.Equal(4.2, margins[0], 9);
        var second = await Json(dashboard.Http, "/api/studies/grid/trials?limit=5&offset=5&sort=margin_l2&order=desc&where=algorithm=sign");
        Assert.Single(second.GetProperty("trials").EnumerateArray());
        var id = page.GetProperty("trials")[0].GetProperty("trial_id").GetString();
        var trial = await Json(dashboard.Http, $"/api/studies/grid/trials/{id}");
        Assert.Equal(11, trial.GetProperty("steps").GetArrayLength());
        Assert.Equal("sign", trial.GetProperty("spec").GetProperty("algorithm").GetString());
    }

    [Fact]
    public async Task Questions_it_cannot_answer_get_the_cli_messages_with_4xx()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        var missing = await dashboard.Http.GetAsync(new Uri("/api/studies/nope/results", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var badKey = await dashboard.Http.GetAsync(new Uri("/api/studies/grid/results?group_by=colour", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Contains("unknown key 'colour'", await badKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var empty = await dashboard.Http.GetAsync(new Uri("/api/studies/grid/trials?where=algorithm=adam", UriKind.Relative));
        Assert.Contains("algorithm takes: gd, sign", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_is_described_by_openapi()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        var paths = (await Json(dashboard.Http, "/openapi/v1.json")).GetProperty("paths");
        foreach (var path in new[] { "/api/studies", "/api/studies/{study}", "/api/studies/{study}/results", "/api/studies/{study}/curves", "/api/studies/{study}/trials", "/api/studies/{study}/live" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
    }

    [Fact]
    public async Task With_a_token_every_request_must_carry_it()
    {
        await using var dashboard = await DashboardFixture.StartAsync(token: "s3cret");
        Assert.Equal(HttpStatusCode.Unauthorized, (await dashboard.Http.GetAsync(new Uri("/api/studies", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await dashboard.Http.GetAsync(new Uri("/index.html", UriKind.Relative))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/studies", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await dashboard.Http.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dashboard.Http.GetAsync(new Uri("/index.html?token=s3cret", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public void Listening_beyond_loopback_without_a_token_is_refused()
    {
        var settings = new DashboardSettings(StoreOptions.Sqlite("unused.db"), IPAddress.Any, 8080);
        Assert.Contains("needs a token", settings.Problem(), StringComparison.Ordinal);
        Assert.Null((settings with { Token = "t" }).Problem());
        Assert.Throws<ArgumentException>(() => DashboardApp.Build(settings));
    }
}
