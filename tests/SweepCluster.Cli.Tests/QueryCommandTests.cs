using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SweepCluster.Cli.Tests;

/// <summary>One small study, run once, then queried the way a user queries it.</summary>
public sealed class QueryStudyFixture : IDisposable
{
    public QueryStudyFixture()
    {
        File.WriteAllText(Path.Combine(Folder, "q.yaml"), """
            study: q
            dataset: {kind: synthetic, n: 30, dim: 5, margin: 0.3, seed: 1}
            model: {depth: 2, width: 8, init_scale: 0.1}
            steps: 60
            checkpoint_every: 10
            grid:
              optimizer:
                - {algorithm: gd, lr: 0.05}
                - {algorithm: sign, lr: 0.001, step: normalized}
              seed: [0, 1]
            """);
        Run = Cli.Run(Folder, "run", "q.yaml");
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("sweepcluster-query-").FullName;

    internal Cli.Result Run { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

[Trait("Category", "Cluster")]
public sealed class QueryCommandTests(QueryStudyFixture study) : IClassFixture<QueryStudyFixture>
{
    private string Folder => study.Folder;

    private Cli.Result Query(params string[] args)
    {
        var result = Cli.Run(Folder, args);
        Assert.True(result.ExitCode == 0, $"sweepcluster {string.Join(' ', args)}: {result.Stderr}");
        return result;
    }

    [Fact]
    public void Dashboard_serves_the_store_until_interrupted_and_refuses_to_listen_beyond_loopback_without_a_token()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string? studies = null, csv = null;
        var served = Cli.Run(Folder, process =>
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (studies is null && DateTime.UtcNow < deadline)
            {
                try
                {
                    studies = http.GetStringAsync(new Uri("/api/studies", UriKind.Relative)).Result;
                    csv = http.GetStringAsync(new Uri("/api/studies/q/results?format=csv&metrics=margin_l2", UriKind.Relative)).Result;
                }
                catch (AggregateException)
                {
                    Thread.Sleep(200);
                }
            }
            using var interrupt = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            interrupt.WaitForExit();
        }, "dashboard", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(served.ExitCode == 0, served.Stderr);
        Assert.Contains($"at http://127.0.0.1:{port}/", served.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"study_id\":\"q\"", studies, StringComparison.Ordinal);
        var results = Query("results", "q", "--metric", "margin_l2", "--format", "csv");
        Assert.Equal(results.Stdout, csv);

        var open = Cli.Run(Folder, "dashboard", "--bind", "0.0.0.0");
        Assert.Equal(2, open.ExitCode);
        Assert.Contains("needs a token", open.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_on_a_finished_study_says_so_and_a_store_that_is_a_folder_is_refused()
    {
        var resumed = Cli.Run(Folder, "resume", "q");
        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains("Study q is already finished", resumed.Stdout, StringComparison.Ordinal);

        Directory.CreateDirectory(Path.Combine(Folder, "stores"));
        var folder = Cli.Run(Folder, "status", "--store", "stores");
        Assert.Equal(2, folder.ExitCode);
        Assert.Contains("is a folder", folder.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("stores", "sweepcluster.db"), folder.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_of_a_study_shows_its_swept_keys_and_states_a_reader_knows()
    {
        var status = Query("status", "q");
        var header = status.Stdout.Split('\n').First(l => l.Contains("trial", StringComparison.Ordinal));
        foreach (var column in new[] { "algorithm", "seed", "state", "margin_l2", "reason" })
        {
            Assert.Contains(column, header, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("Completed", status.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, status.Stdout.Split('\n').Count(l => l.Contains(" completed ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Results_aggregates_the_seeds_of_each_algorithm()
    {
        Assert.Equal(0, study.Run.ExitCode);
        var json = JsonDocument.Parse(Query("results", "q", "--format", "json", "--metric", "margin_l2,train_accuracy").Stdout).RootElement;

        Assert.Equal(["algorithm"], json.GetProperty("group_by").EnumerateArray().Select(k => k.GetString()));
        var groups = json.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(["gd", "sign"], groups.Select(g => g.GetProperty("key").GetProperty("algorithm").GetString()));
        Assert.All(groups, g =>
        {
            Assert.Equal(2, g.GetProperty("trials").GetInt32());
            Assert.Equal(0, g.GetProperty("pruned").GetInt32());
            var margin = g.GetProperty("metrics").GetProperty("margin_l2");
            Assert.Equal(2, margin.GetProperty("count").GetInt32());
            Assert.InRange(margin.GetProperty("mean").GetDouble(), margin.GetProperty("min").GetDouble(), margin.GetProperty("max").GetDouble());
        });

        var csv = Query("results", "q", "--format", "csv", "--metric", "margin_l2", "--group-by", "algorithm,seed").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Columns are only ever added at the end, so scripts that read the earlier ones by position keep working.
        Assert.Equal("algorithm,seed,trials,margin_l2_mean,margin_l2_std,margin_l2_min,margin_l2_max,margin_l2_count,pruned,diverged,stalled", csv[0]);
        Assert.Equal(5, csv.Length);
    }

    [Fact]
    public void Curves_write_every_stored_checkpoint_in_each_format()
    {
        Assert.Equal(0, study.Run.ExitCode);
        var status = StudyJson.Trials(Folder, "q");
        var stored = status.Values.Sum(t => t.GetProperty("checkpoint_count").GetInt64());

        var csv = Query("curves", "q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(stored + 1, csv.Length);
        Assert.Equal(28, stored);
        var lines = Query("curves", "q", "--where", "algorithm=sign", "--format", "jsonl").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(14, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("sign", first.GetProperty("algorithm").GetString());
        Assert.Equal("normalized", first.GetProperty("config.step").GetString());
        Assert.Equal("completed", first.GetProperty("state").GetString());
        Assert.Equal(0, first.GetProperty("step").GetInt64());

        Query("curves", "q", "--out", "q.parquet");
        var parquet = File.ReadAllBytes(Path.Combine(Folder, "q.parquet"));
        Assert.Equal("PAR1"u8.ToArray(), parquet[..4]);
        Assert.Equal("PAR1"u8.ToArray(), parquet[^4..]);
    }

    [Fact]
    public void Plot_writes_a_png_and_an_svg()
    {
        Assert.Equal(0, study.Run.ExitCode);
        Query("plot", "q", "--metric", "margin_l2", "--out", "m.png");
        Query("plot", "q", "--metric", "margin_linf", "--log-steps", "--out", "m.svg");
        Query("plot", "q", "--metric", "margin_l2", "--log-steps", "--y-scale", "symlog", "--out", "sym.svg");
        Query("plot", "q", "--metric", "loss", "--y-scale", "log", "--out", "log.png");
        Assert.Contains("symmetric log scale", File.ReadAllText(Path.Combine(Folder, "sym.svg")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Folder, "log.png")));

        var png = File.ReadAllBytes(Path.Combine(Folder, "m.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        var svg = File.ReadAllText(Path.Combine(Folder, "m.svg"));
        Assert.Contains("<svg", svg);
        Assert.Contains("margin_linf", svg);
        Assert.Contains("sign (n=2)", svg);
    }

    [Fact]
    public void A_lost_read_model_is_rebuilt_from_the_journal_with_the_same_answers()
    {
        Assert.Equal(0, study.Run.ExitCode);
        var before = Query("results", "q", "--format", "csv").Stdout;
        var curves = Query("curves", "q").Stdout;
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(Folder, ".sweepcluster", "sweepcluster.db")};Pooling=false"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE sweepcluster_checkpoints; DROP TABLE sweepcluster_trials; DROP TABLE sweepcluster_studies; DROP TABLE sweepcluster_projection_offsets;";
            drop.ExecuteNonQuery();
        }

        // A query finds the read model behind the journal and catches it up first.
        Assert.Equal(before, Query("results", "q", "--format", "csv").Stdout);
        Query("project", "--rebuild");
        Assert.Equal(before, Query("results", "q", "--format", "csv").Stdout);
        Assert.Equal(curves, Query("curves", "q").Stdout);
    }

    [Theory]
    [InlineData("results", "nope")]
    [InlineData("results", "q", "--metric", "margin_l3")]
    [InlineData("results", "q", "--where", "widht=8")]
    [InlineData("results", "q", "--at", "step=ten")]
    [InlineData("results", "q", "--format", "xml")]
    [InlineData("curves", "q", "--out", "bad.xlsx")]
    [InlineData("plot", "q", "--out", "bad.pdf")]
    [InlineData("plot", "q", "--metric", "margin", "--out", "bad.png")]
    [InlineData("plot", "q", "--y-scale", "logarithmic", "--out", "bad.png")]
    [InlineData("results", "q", "--at", "step=15")]
    public void Bad_queries_exit_2_with_a_message_and_write_nothing(params string[] args)
    {
        Assert.Equal(0, study.Run.ExitCode);
        var result = Cli.Run(Folder, args);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Empty(Directory.GetFiles(Folder, "bad*"));
        Assert.Empty(Directory.GetFiles(Folder, ".*tmp"));
    }

    [Theory]
    [InlineData("results", "q", "--where", "algorithm=sgd")]
    [InlineData("curves", "q", "--where", "algorithm=sgd")]
    [InlineData("plot", "q", "--where", "algorithm=sgd", "--out", "bad.png")]
    public void An_empty_selection_is_exit_2_listing_the_values_that_exist(params string[] args)
    {
        Assert.Equal(0, study.Run.ExitCode);
        var result = Cli.Run(Folder, args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: no trial of study 'q' has algorithm=sgd; algorithm takes: gd, sign", result.Stderr);
        Assert.Empty(result.Stdout);
        Assert.Empty(Directory.GetFiles(Folder, "bad*"));
    }

    [Fact]
    public void Filters_that_each_match_but_not_together_say_so()
    {
        var result = Cli.Run(Folder, "results", "q", "--where", "algorithm=gd", "--where", "lr=0.001");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("matches algorithm=gd and lr=0.001 together, though each matches some trials", result.Stderr);
    }

    [Theory]
    [InlineData("results", "qq")]
    [InlineData("status", "qq")]
    [InlineData("curves", "qq")]
    public void An_unknown_study_is_one_message_with_the_nearest_name(params string[] args)
    {
        Assert.Equal(0, study.Run.ExitCode);
        var result = Cli.Run(Folder, args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("there is no study 'qq'; did you mean 'q'?", result.Stderr);
    }

    [Fact]
    public void Studies_lists_each_study_with_its_best_configuration()
    {
        var results = JsonDocument.Parse(Query("results", "q", "--format", "json", "--metric", "margin_l2").Stdout).RootElement;
        var best = results.GetProperty("groups").EnumerateArray()
            .MaxBy(g => g.GetProperty("metrics").GetProperty("margin_l2").GetProperty("mean").GetDouble());

        var listed = Assert.Single(JsonDocument.Parse(Query("studies", "--json").Stdout).RootElement.EnumerateArray());
        Assert.Equal("q", listed.GetProperty("study").GetString());
        Assert.Equal((4, 4), (listed.GetProperty("trials").GetInt32(), listed.GetProperty("completed").GetInt32()));
        Assert.Equal(best.GetProperty("metrics").GetProperty("margin_l2").GetProperty("mean").GetDouble(), listed.GetProperty("best_mean").GetDouble());
        Assert.Equal(best.GetProperty("key").GetProperty("algorithm").GetString(), listed.GetProperty("best_configuration").GetProperty("algorithm").GetString());

        var table = Query("studies").Stdout;
        Assert.Contains("best margin_l2", table, StringComparison.Ordinal);
        var unknown = Cli.Run(Folder, "studies", "--metric", "margin");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--metric 'margin': not a metric; the metrics are step, loss", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains($"algorithm={best.GetProperty("key").GetProperty("algorithm").GetString()}", table, StringComparison.Ordinal);
    }

    [Fact]
    public void A_study_exports_to_a_new_folder_with_what_the_queries_give_and_refuses_an_existing_one()
    {
        var folder = Path.Combine(Folder, $"export-{Guid.NewGuid():N}");
        var exported = Query("studies", "export", "q", "--out", folder);

        Assert.Equal(["curves.csv", "results.csv", "study.json", "sweep.yaml", "trials.jsonl"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // The sweep file recreates the same trials, ids and all, in another store.
        var other = Path.Combine(folder + "-rerun.db");
        var rerun = Cli.Run(Folder, "run", Path.Combine(folder, "sweep.yaml"), "--store", other);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr);
        static IEnumerable<string> Ids(Cli.Result status) =>
            JsonDocument.Parse(status.Stdout).RootElement.GetProperty("trials").EnumerateArray().Select(t => t.GetProperty("trial_id").GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(Ids(Query("status", "q", "--json")), Ids(Query("status", "q", "--json", "--store", other)));
        Assert.Equal(Query("results", "q", "--format", "csv").Stdout, File.ReadAllText(Path.Combine(folder, "results.csv")));
        Assert.Equal(Query("curves", "q", "--format", "csv").Stdout, File.ReadAllText(Path.Combine(folder, "curves.csv")));
        var trials = File.ReadAllLines(Path.Combine(folder, "trials.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, trials.Count);
        Assert.All(trials, t => Assert.Equal("completed", t.GetProperty("state").GetString()));
        Assert.Equal(["gd", "gd", "sign", "sign"], trials.Select(t => t.GetProperty("spec").GetProperty("algorithm").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("q", JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "study.json"))).RootElement.GetProperty("study_id").GetString());
        Assert.Contains("Exported study q", exported.Stderr, StringComparison.Ordinal);

        var again = Cli.Run(Folder, "studies", "export", "q", "--out", folder);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);

        var missing = Path.Combine(Folder, $"export-{Guid.NewGuid():N}");
        var unknown = Cli.Run(Folder, "studies", "export", "qq", "--out", missing);
        Assert.Equal(2, unknown.ExitCode);
        Assert.False(Directory.Exists(missing));
        Assert.Empty(Directory.GetDirectories(Folder, ".export-*"));
    }
    [Fact]
    public void With_states_each_trial_s_final_parameters_export_as_safetensors()
    {
        var folder = Path.Combine(Folder, $"export-{Guid.NewGuid():N}");
        Query("studies", "export", "q", "--out", folder, "--states");

        var finalNorms = File.ReadAllLines(Path.Combine(folder, "curves.csv")).Skip(1).Select(l => l.Split(','))
            .GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.Last());
        var header = File.ReadLines(Path.Combine(folder, "curves.csv")).First().Split(',');
        var (stepColumn, normColumn) = (Array.IndexOf(header, "step"), Array.IndexOf(header, "norm_l2"));
        var trials = File.ReadAllLines(Path.Combine(folder, "trials.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, Directory.GetFiles(Path.Combine(folder, "states"), "*.safetensors").Length);
        foreach (var trial in trials)
        {
            var id = trial.GetProperty("trial_id").GetString()!;
            var last = finalNorms[id];
            // The state is the one at the trial's last checkpoint: its parameters give that checkpoint's norm.
            Assert.Equal(60, trial.GetProperty("state_step").GetInt64());
            Assert.Equal("60", last[stepColumn]);
            var tensors = Safetensors(Path.Combine(folder, "states", id + ".safetensors"));
            Assert.Equal(60L, BitConverter.ToInt64(tensors["meta.step"]));
            var layers = tensors.Where(t => t.Key.StartsWith("layers.", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, layers.Count);
            var norm = Math.Sqrt(layers.Sum(l => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(l.Value).ToArray().Sum(w => (double)w * w)));
            var expected = double.Parse(last[normColumn], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(norm - expected) <= 1e-6 * expected, $"trial {id}: the exported parameters have l2 norm {norm}, its last checkpoint {expected}");
        }
    }

    /// <summary>A safetensors file's tensors as raw little-endian bytes, read as PyTorch's loader reads them.</summary>
    private static Dictionary<string, byte[]> Safetensors(string path)
    {
        var file = File.ReadAllBytes(path);
        var headerLength = (int)BitConverter.ToInt64(file, 0);
        using var header = JsonDocument.Parse(file.AsMemory(8, headerLength));
        return header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToDictionary(
            p => p.Name,
            p =>
            {
                var (start, end) = (p.Value.GetProperty("data_offsets")[0].GetInt32(), p.Value.GetProperty("data_offsets")[1].GetInt32());
                return file[(8 + headerLength + start)..(8 + headerLength + end)];
            });
    }
}
