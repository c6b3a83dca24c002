using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A store that cannot be used, for every command that touches one: one line naming the store and the
/// reason, exit 4, no stack trace, and nothing written to a database that is not ours.
/// </summary>
public sealed class StoreFailureTests : IDisposable
{
    private static readonly string[][] Queries =
    [
        ["status"], ["status", "quick"], ["results", "quick"], ["curves", "quick"], ["plot", "quick", "--out", "p.png"], ["project"],
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-storefail-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var mount in _mounts)
        {
            Process.Start("umount", mount)!.WaitForExit();
        }
        Directory.Delete(_folder, recursive: true);
    }

    private readonly List<string> _mounts = [];

    private string Sweep() => QuickSweep.Write(_folder);

    private static void AssertOneLine(Cli.Result result, int exitCode, string message)
    {
        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}\n{result.Stderr}");
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("Unhandled", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_named_by_every_query_with_exit_4()
    {
        File.WriteAllText(Path.Combine(_folder, "notes.db"), "not a database at all\n");

        foreach (var query in Queries)
        {
            AssertOneLine(Cli.Run(_folder, [.. query, "--store", "notes.db"]), 4, "notes.db: it is not a SQLite database");
        }
        Assert.Equal("not a database at all\n", File.ReadAllText(Path.Combine(_folder, "notes.db")));
    }

    [Fact]
    public void A_database_that_is_not_ours_is_refused_and_left_as_it_was()
    {
        var path = Path.Combine(_folder, "other.sqlite");
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE people (name TEXT)";
            create.ExecuteNonQuery();
        }

        foreach (var command in Queries.Append(["run", Sweep()]))
        {
            AssertOneLine(Cli.Run(_folder, [.. command, "--store", "other.sqlite"]), 4, "holds tables of something else and no SweepCluster journal");
        }

        SqliteConnection.ClearAllPools();
        using var check = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        check.Open();
        using var tables = check.CreateCommand();
        tables.CommandText = "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'";
        Assert.Equal("people", tables.ExecuteScalar());
    }

    [Fact]
    public void A_postgresql_that_does_not_answer_is_exit_4_for_queries_too()
    {
        var store = $"Host=127.0.0.1;Port={LoopbackCluster.Port(LoopbackCluster.FreePort())};Database=x;Username=y;Timeout=3";

        foreach (var query in Queries)
        {
            AssertOneLine(Cli.Run(_folder, [.. query, "--store", store]), 4, "PostgreSQL does not answer");
        }
    }

    [Fact]
    public void A_second_run_on_a_store_that_a_live_run_holds_is_told_at_once()
    {
        var sweep = Sweep();
        File.WriteAllText(Path.Combine(_folder, "long.yaml"), File.ReadAllText(Path.Combine(_folder, sweep)).Replace("study: quick", "study: long").Replace("steps: 200", "steps: 400000"));
        Cli.Result? second = null;
        var clock = new Stopwatch();
        Cli.Run(_folder, first =>
        {
            WaitFor(() => File.Exists(Path.Combine(_folder, ".sweepcluster", "sweepcluster.db.lock")) && ReadyToRun(), TimeSpan.FromMinutes(1));
            clock.Start();
            second = Cli.Run(_folder, "run", sweep);
            clock.Stop();
            first.Kill(entireProcessTree: true);
        }, "run", "long.yaml");

        AssertOneLine(second!, 4, "is in use by another run or cluster");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        bool ReadyToRun() => Cli.Run(_folder, "status", "long", "--json").ExitCode == 0;
    }

    [Fact]
    public void A_run_on_a_full_disk_stops_at_once_with_exit_4_and_resumes_once_there_is_room()
    {
        var store = Mount("full", "size=1m");
        if (store is null)
        {
            Assert.Skip("cannot mount a small tmpfs here (needs root and mount rights): the full-disk case is not exercised");
        }
        var sweep = QuickSweep.Write(_folder, steps: 40_000, checkpointEvery: 1);

        var clock = Stopwatch.StartNew();
        var run = Cli.Run(_folder, "run", sweep, "--store", Path.Combine(store, "s.db"));
        clock.Stop();

        AssertOneLine(run, 4, "the store cannot be written: the disk is full");
        Assert.Contains("sweepcluster resume quick", run.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Queries_read_a_store_on_a_read_only_disk_and_a_run_there_is_exit_4()
    {
        var store = Mount("readonly", "size=64m");
        if (store is null)
        {
            Assert.Skip("cannot mount a tmpfs here (needs root and mount rights): the read-only case is not exercised");
        }
        var path = Path.Combine(store, "s.db");
        Assert.Equal(0, Cli.Run(_folder, "run", Sweep(), "--store", path).ExitCode);
        // Every event in the query tables before the disk turns read-only, so no warning is expected below.
        Assert.Equal(0, Cli.Run(_folder, "project", "--store", path).ExitCode);
        SqliteConnection.ClearAllPools();
        Remount(store, "remount,ro");

        foreach (var query in Queries.Where(q => q[0] != "project"))
        {
            var result = Cli.Run(_folder, [.. query, "--store", path]);
            Assert.True(result.ExitCode == 0, $"{string.Join(' ', query)}: {result.Stderr}");
            // The query tables hold every event: nothing to warn about.
            Assert.DoesNotContain("warning", result.Stderr);
        }
        AssertOneLine(Cli.Run(_folder, "run", Sweep(), "--store", path), 4, "its folder cannot be written");
    }

    private string? Mount(string name, string options)
    {
        var mount = Path.Combine(_folder, name);
        Directory.CreateDirectory(mount);
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/mount"))
        {
            return null;
        }
        using var process = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", options, "tmpfs", mount]) { RedirectStandardError = true })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            return null;
        }
        _mounts.Add(mount);
        return mount;
    }

    private static void Remount(string mount, string options)
    {
        using var process = Process.Start("mount", ["-o", options, mount])!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private static void WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            Thread.Sleep(200);
        }
    }
}
