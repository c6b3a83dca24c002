using Npgsql;

namespace SweepCluster.Cli.Tests;

/// <summary>The PostgreSQL password: taken from a file or the environment, and never shown, logged or stored.</summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class SecretsTests : IDisposable
{
    private const string Password = "Tr0ub4dor-and-3-horses";

    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-secrets-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_password_comes_from_a_file_or_the_environment_and_appears_in_no_output_log_or_journal()
    {
        using var pg = PostgresServer.TryStart(Password);
        if (pg is null)
        {
            Assert.Skip("PostgreSQL is not installed (Debian's postgresql-15): this test starts its own server.");
        }
        var sweep = QuickSweep.Write(_folder);
        var passwordFile = Path.Combine(_folder, "pg-password");
        File.WriteAllText(passwordFile, Password + "\n");
        var fromFile = new Dictionary<string, string?> { ["SWEEPCLUSTER_STORE_PASSWORD_FILE"] = passwordFile };
        var fromEnvironment = new Dictionary<string, string?> { ["PGPASSWORD"] = Password };

        var run = Cli.Run(_folder, fromFile, null, "run", sweep, "--store", pg.ConnectionString);
        var status = Cli.Run(_folder, fromEnvironment, null, "status", "quick", "--json", "--store", pg.ConnectionString);
        var wrong = Cli.Run(_folder, "status", "--store", pg.ConnectionString + ";Password=not-" + Password);
        var none = Cli.Run(_folder, "status", "--store", pg.ConnectionString);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Equal((4, 4), (wrong.ExitCode, none.ExitCode));
        Assert.Contains("PostgreSQL refused the login", wrong.Stderr);
        Assert.Contains("requires one", none.Stderr);
        foreach (var result in new[] { run, status, wrong, none })
        {
            Assert.DoesNotContain(Password, result.Stdout + result.Stderr);
        }
        var logs = Directory.GetFiles(Path.Combine(_folder, ".sweepcluster", "logs"));
        Assert.NotEmpty(logs);
        Assert.All(logs, log => Assert.DoesNotContain(Password, SharedFile.ReadAll(log)));
        var database = pg.ConnectionString + ";Password=" + Password;
        // The search reads what the tables hold, the journal's payloads included: the study's name is there.
        Assert.True(CountRowsMentioning(database, "quick") > 0);
        Assert.Equal(0L, CountRowsMentioning(database, Password));
    }

    /// <summary>Values in any table of the database (text, or bytes such as the journal's payloads) that hold <paramref name="needle"/>.</summary>
    private static long CountRowsMentioning(string connectionString, string needle)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        var tables = new List<string>();
        using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection))
        using (var reader = list.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }
        Assert.Contains("journal", tables);
        var bytes = System.Text.Encoding.UTF8.GetBytes(needle);
        long found = 0;
        foreach (var table in tables)
        {
            using var all = new NpgsqlCommand($"SELECT * FROM \"{table}\"", connection);
            using var reader = all.ExecuteReader();
            while (reader.Read())
            {
                for (var column = 0; column < reader.FieldCount; column++)
                {
                    var value = reader.GetValue(column);
                    if (value is byte[] raw ? raw.AsSpan().IndexOf(bytes) >= 0 : value.ToString()!.Contains(needle, StringComparison.Ordinal))
                    {
                        found++;
                    }
                }
            }
        }
        return found;
    }
}
