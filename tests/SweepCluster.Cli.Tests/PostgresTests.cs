using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>Studies on a real PostgreSQL that the test starts itself.</summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class PostgresTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-pgtest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Sweep(string study, int steps)
    {
        var path = Path.Combine(_folder, $"{study}.yaml");
        File.WriteAllText(path, $$"""
            study: {{study}}
            dataset: {kind: synthetic, n: 40, dim: 8, margin: 0.2, seed: 1}
            model: {depth: 2, width: 32, init_scale: 0.1}
            steps: {{steps}}
            checkpoint_every: 100
            grid:
              optimizer:
                - {algorithm: gd, lr: 0.02}
                - {algorithm: sign, lr: 0.001, step: normalized}
              seed: [0]
            """);
        return path;
    }

    private static JsonElement Status(string folder, string study, string store)
    {
        var status = Cli.Run(folder, "status", study, "--json", "--store", store);
        Assert.True(status.ExitCode == 0, status.Stderr);
        return JsonDocument.Parse(status.Stdout).RootElement;
    }

    [Fact]
    public void A_study_runs_on_postgresql_and_status_results_and_curves_read_it_back()
    {
        using var pg = PostgresServer.TryStart();
        if (pg is null)
        {
            Assert.Skip("PostgreSQL is not installed (Debian's postgresql-15): this test starts its own server.");
        }
        var run = Cli.Run(_folder, "run", Sweep("pg", 2000), "--store", pg.ConnectionString);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var status = Status(_folder, "pg", pg.ConnectionString);
        Assert.Equal("finished", status.GetProperty("phase").GetString());
        Assert.All(status.GetProperty("trials").EnumerateArray(), t => Assert.Equal(21, t.GetProperty("checkpoint_count").GetInt64()));

        var trials = status.GetProperty("trials").GetArrayLength();
        var curves = Cli.Run(_folder, "curves", "pg", "--store", pg.ConnectionString);
        Assert.True(curves.ExitCode == 0, curves.Stderr);
        Assert.Equal(21 * trials + 1, curves.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var results = Cli.Run(_folder, "results", "pg", "--format", "json", "--store", pg.ConnectionString);
        Assert.True(results.ExitCode == 0, results.Stderr);
        var groups = JsonDocument.Parse(results.Stdout).RootElement.GetProperty("groups");
        Assert.Equal(trials, groups.EnumerateArray().Sum(g => g.GetProperty("trials").GetInt32()));
        var rebuild = Cli.Run(_folder, "project", "--rebuild", "--store", pg.ConnectionString);
        Assert.True(rebuild.ExitCode == 0, rebuild.Stderr);
        Assert.Equal(curves.Stdout, Cli.Run(_folder, "curves", "pg", "--store", pg.ConnectionString).Stdout);

        var deleted = Cli.Run(_folder, "studies", "delete", "pg", "--yes", "--store", pg.ConnectionString);
        Assert.True(deleted.ExitCode == 0, deleted.Stderr);
        Assert.Contains($"{trials} trials, {21 * trials} checkpoints", deleted.Stderr);
        Assert.Equal(2, Cli.Run(_folder, "status", "pg", "--store", pg.ConnectionString).ExitCode);
        Assert.Equal(0, Cli.Run(_folder, "project", "--rebuild", "--store", pg.ConnectionString).ExitCode);
        Assert.Equal(2, Cli.Run(_folder, "status", "pg", "--store", pg.ConnectionString).ExitCode);
    }

    [Fact]
    public void Postgresql_restarted_mid_study_and_the_study_completes_with_nothing_lost()
    {
        using var pg = PostgresServer.TryStart();
        if (pg is null)
        {
            Assert.Skip("PostgreSQL is not installed (Debian's postgresql-15): this test starts its own server.");
        }
        var run = Cli.Run(_folder, _ =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(8));
            pg.Stop();
            Thread.Sleep(TimeSpan.FromSeconds(5));
            pg.Start();
        }, "run", Sweep("restart", 40000), "--store", pg.ConnectionString, "--save-state-seconds", "1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var status = Status(_folder, "restart", pg.ConnectionString);
        Assert.Equal("finished", status.GetProperty("phase").GetString());
        foreach (var trial in status.GetProperty("trials").EnumerateArray())
        {
            var last = trial.GetProperty("last_step").GetInt64();
            Assert.Equal(last / 100 + 1 + (last % 100 == 0 ? 0 : 1), trial.GetProperty("checkpoint_count").GetInt64());
        }
    }

    [Fact]
    public void An_unreachable_database_at_start_is_a_clear_error()
    {
        var run = Cli.Run(_folder, "run", Sweep("down", 100), "--store", "Host=127.0.0.1;Port=9;Database=x;Username=x;Timeout=2");
        Assert.Equal(4, run.ExitCode);
        Assert.Contains("cannot use the store", run.Stderr);
    }
}
