using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace SweepCluster.Cluster.Storage;

/// <summary>What a store holds, as far as SweepCluster is concerned.</summary>
public enum StoreContents
{
    /// <summary>A SQLite file that does not exist: nothing was ever run with it.</summary>
    Missing,

    /// <summary>A database with no tables at all: SweepCluster may make it its own.</summary>
    Empty,

    /// <summary>A database with a SweepCluster journal.</summary>
    SweepCluster,

    /// <summary>A database with tables of something else and no journal: SweepCluster writes nothing to it.</summary>
    Foreign,
}

/// <summary>Looks at a store without writing to it, so that no command creates anything in a database that is not ours.</summary>
public static class StoreInspection
{
    /// <summary>The journal table of Akka.Persistence.Sql, whose presence marks a SweepCluster store.</summary>
    public const string JournalTable = "journal";

    public static async Task<StoreContents> InspectAsync(StoreOptions store, CancellationToken cancellation = default)
    {
        if (store.Kind == StoreKind.Sqlite && !File.Exists(store.Display))
        {
            return StoreContents.Missing;
        }
        try
        {
            await using var connection = await OpenReadOnlyAsync(store, cancellation);
            var tables = await TablesAsync(connection, store.Kind, cancellation);
            return tables.Count == 0 ? StoreContents.Empty
                : tables.Contains(JournalTable) ? StoreContents.SweepCluster
                : StoreContents.Foreign;
        }
        catch (Exception e) when (StoreProblems.IsStoreFailure(e))
        {
            throw StoreProblems.Unavailable(store, e);
        }
    }

    /// <summary>The tables of the store's database (its schema on PostgreSQL), SQLite's own left out; names compare ignoring case.</summary>
    public static async Task<IReadOnlySet<string>> TablesAsync(DbConnection connection, StoreKind kind, CancellationToken cancellation = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = kind == StoreKind.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()";
        var tables = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            tables.Add(reader.GetString(0));
        }
        return tables;
    }

    /// <summary>The refusal a command gives for a database that is not ours.</summary>
    public static StoreUnavailableException NotOurs(StoreOptions store) =>
        new($"{store.Display} holds tables of something else and no SweepCluster journal; SweepCluster writes nothing into it. Name an empty database or a new file with --store.", new InvalidOperationException("foreign database"));

    private static async Task<DbConnection> OpenReadOnlyAsync(StoreOptions store, CancellationToken cancellation)
    {
        if (store.Kind != StoreKind.Sqlite)
        {
            return await StoreConnections.OpenAsync(store, cancellation);
        }
        var builder = new SqliteConnectionStringBuilder(store.ConnectionString) { Mode = SqliteOpenMode.ReadOnly };
        var connection = new SqliteConnection(builder.ToString());
        await connection.OpenAsync(cancellation);
        return connection;
    }
}
