using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SweepCluster.Cluster.Storage;

/// <summary>Opens connections to the store and prepares it before the actor system uses it.</summary>
public static class StoreConnections
{
    public static DbConnection Open(StoreOptions store)
    {
        DbConnection connection = store.Kind == StoreKind.Sqlite
            ? new SqliteConnection(store.ConnectionString)
            : new NpgsqlConnection(store.ConnectionString);
        connection.Open();
        return connection;
    }

    public static async Task<DbConnection> OpenAsync(StoreOptions store, CancellationToken cancellation = default)
    {
        DbConnection connection = store.Kind == StoreKind.Sqlite
            ? new SqliteConnection(store.ConnectionString)
            : new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync(cancellation);
        return connection;
    }

    /// <summary>
    /// Checks the store answers and is ours (or empty), creating the SQLite file's folder and switching the
    /// file to WAL, which several processes (a run and a status query, or several nodes on one machine)
    /// need to share it. Throws <see cref="StoreUnavailableException"/> with a one-line reason otherwise.
    /// </summary>
    public static void Prepare(StoreOptions store)
    {
        if (StoreInspection.InspectAsync(store).GetAwaiter().GetResult() == StoreContents.Foreign)
        {
            throw StoreInspection.NotOurs(store);
        }
        try
        {
            if (store.SqliteFolder is { } folder)
            {
                Directory.CreateDirectory(folder);
            }
            using var connection = Open(store);
            if (store.Kind == StoreKind.Sqlite)
            {
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA journal_mode=WAL;";
                command.ExecuteNonQuery();
            }
        }
        catch (Exception e) when (StoreProblems.IsStoreFailure(e) || e is InvalidOperationException)
        {
            throw StoreProblems.Unavailable(store, e);
        }
    }
}

public sealed class StoreUnavailableException(string message, Exception inner) : Exception(message, inner);
