using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// `studies delete`: a study's journal, training states and query rows go together and nothing of another
/// study moves; it asks for the name on a terminal, refuses without one unless told --yes, and refuses
/// while a node or run holds the store.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class StudiesDeleteTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-delete-").FullName;

    public StudiesDeleteTests()
    {
        foreach (var study in new[] { "kept", "gone" })
        {
            File.WriteAllText(Path.Combine(_folder, $"{study}.yaml"), $$"""
                study: {{study}}
                dataset: {kind: synthetic, n: 40, dim: 8, seed: 1}
                model: {width: 16}
                steps: 3000
                checkpoint_every: 100
                grid:
                  algorithm: [gd, sign]
                  lr: [0.01]
                """);
            // States every 10 ms, so that each study has training states stored.
            var run = Cli.Run(_folder, "run", $"{study}.yaml", "--save-state-seconds", "0.01");
            Assert.True(run.ExitCode == 0, run.Stderr);
        }
        // A query catches the query tables up with the journal, so that the rows counted here are all of them.
        Assert.Equal(0, Cli.Run(_folder, "status").ExitCode);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Store => Path.Combine(_folder, ".sweepcluster", "sweepcluster.db");

    [Fact]
    public void Delete_removes_every_row_of_the_study_and_leaves_the_other_as_it_was()
    {
        var before = Rows("gone");
        Assert.All(before, r => Assert.True(r.Value > 0, $"{r.Key} holds no row of the study before deleting"));
        var kept = Rows("kept");
        var keptResults = Cli.Run(_folder, "results", "kept", "--format", "csv").Stdout;
        var keptCurves = Cli.Run(_folder, "curves", "kept", "--format", "csv").Stdout;

        var deleted = Cli.Run(_folder, "studies", "delete", "gone", "--yes");
        Assert.True(deleted.ExitCode == 0, deleted.Stderr);
        Assert.Contains($"Deleted study gone: {before["journal"]} journal events, 2 trials, {before["sweepcluster_checkpoints"]} checkpoints", deleted.Stderr);

        Assert.All(Rows("gone"), r => Assert.True(r.Value == 0, $"{r.Key} still holds {r.Value} rows of the deleted study"));
        Assert.Equal(kept, Rows("kept"));
        Assert.Equal(keptResults, Cli.Run(_folder, "results", "kept", "--format", "csv").Stdout);
        var status = Cli.Run(_folder, "status", "gone");
        Assert.Equal(2, status.ExitCode);
        Assert.Contains("kept", status.Stderr);

        // The query tables are rebuilt from the journal alone: the study stays gone, the other stays whole.
        Assert.Equal(0, Cli.Run(_folder, "project", "--rebuild").ExitCode);
        Assert.Equal(keptCurves, Cli.Run(_folder, "curves", "kept", "--format", "csv").Stdout);
        Assert.Equal(2, Cli.Run(_folder, "status", "gone").ExitCode);

        // The name is free again: the same sweep runs anew.
        var again = Cli.Run(_folder, "run", "gone.yaml");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("2 new trials", again.Stderr);
    }

    [Fact]
    public void Without_a_terminal_it_deletes_nothing_unless_told_yes()
    {
        var before = Rows("gone");
        var refused = Cli.Run(_folder, "studies", "delete", "gone");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("nothing deleted; there is no terminal to confirm on, so give --yes", refused.Stderr);
        Assert.Equal(before, Rows("gone"));
    }

    [Theory]
    [InlineData("gone\n", 0)]
    [InlineData("kept\n", 1)]
    public async Task On_a_terminal_it_deletes_once_the_study_s_name_is_typed(string typed, int exitCode)
    {
        var before = Rows("gone");
        // script(1) gives the command a terminal, as a user's shell has, and types what it reads.
        var info = new ProcessStartInfo("script", ["-qec", $"dotnet '{Path.Combine(AppContext.BaseDirectory, "sweepcluster.dll")}' studies delete gone", "/dev/null"])
        {
            WorkingDirectory = _folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            Environment = { ["SWEEPCLUSTER_STORE"] = null },
        };
        using var process = Process.Start(info)!;
        var reading = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardInput.WriteAsync(typed);
        await process.StandardInput.FlushAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        var output = await reading;
        Assert.True(process.ExitCode == exitCode, output);
        Assert.Contains("Type the study's name to confirm", output);
        if (exitCode == 0)
        {
            Assert.All(Rows("gone"), r => Assert.Equal(0, r.Value));
        }
        else
        {
            Assert.Contains("Not deleted: the name did not match", output);
            Assert.Equal(before, Rows("gone"));
        }
    }

    [Fact]
    public async Task A_store_held_by_a_node_or_run_is_refused_and_left_whole()
    {
        var before = Rows("gone");
        // The lock a cluster's coordinators take on their store.
        await using (await StoreLock.AcquireAsync(StoreOptions.Resolve(Store, _folder), exclusive: false))
        {
            var refused = Cli.Run(_folder, "studies", "delete", "gone", "--yes");
            Assert.Equal(4, refused.ExitCode);
            Assert.Contains("is in use by a running node or run; stop it before deleting a study", refused.Stderr);
        }
        Assert.Equal(before, Rows("gone"));
        Assert.Equal(0, Cli.Run(_folder, "studies", "delete", "gone", "--yes").ExitCode);
    }

    [Fact]
    public void An_unknown_study_is_refused_with_the_known_ones()
    {
        var unknown = Cli.Run(_folder, "studies", "delete", "gnoe", "--yes");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("gone", unknown.Stderr);
    }

    /// <summary>The study's rows in each table that holds some, read straight from the file.</summary>
    private Dictionary<string, long> Rows(string study)
    {
        using var connection = new SqliteConnection($"Data Source={Store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var counts = new Dictionary<string, long>();
        foreach (var (table, column, key) in new[]
        {
            ("journal", "persistence_id", "study-" + study),
            ("tags", "persistence_id", "study-" + study),
            ("sweepcluster_state_chunks", "study_id", study),
            ("sweepcluster_studies", "study_id", study),
            ("sweepcluster_trials", "study_id", study),
            ("sweepcluster_checkpoints", "study_id", study),
        })
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE {column} = $key";
            command.Parameters.AddWithValue("$key", key);
            counts[table] = (long)command.ExecuteScalar()!;
        }
        return counts;
    }
}
