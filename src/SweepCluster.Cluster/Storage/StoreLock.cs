using System.Data.Common;
using Npgsql;

namespace SweepCluster.Cluster.Storage;

/// <summary>
/// Keeps two clusters from writing one store: a one-process run holds its store alone, the coordinators of
/// one cluster share theirs. The second comer is told at once instead of waiting for a cluster that never
/// forms. SQLite: an advisory lock on a file beside the store. PostgreSQL: an advisory lock on a session.
/// Both vanish with the process, so a crash leaves nothing to clean up.
/// </summary>
public sealed class StoreLock : IAsyncDisposable
{
    // "SWPC" as a number: the advisory lock key that marks a SweepCluster store in use.
    private const long PostgresKey = 0x53575043;

    // What .NET reports when flock(2) finds the file locked by another process: EWOULDBLOCK on Unix,
    // ERROR_SHARING_VIOLATION on Windows.
    private const int WouldBlock = 11;
    private const int SharingViolation = unchecked((int)0x80070020);

    private readonly FileStream? _file;
    private readonly DbConnection? _session;

    private StoreLock(FileStream? file, DbConnection? session)
    {
        _file = file;
        _session = session;
    }

    /// <param name="exclusive">True for a one-process run, which shares its store with no other cluster; false for a cluster's coordinators.</param>
    public static Task<StoreLock> AcquireAsync(StoreOptions store, bool exclusive, CancellationToken cancellation = default) =>
        AcquireAsync(store, exclusive, InUse(store, exclusive), cancellation);

    /// <summary>The store alone, for a change no running node or run may see half-done (deleting a study, say).</summary>
    /// <param name="operation">What needs it, for the refusal: "deleting a study".</param>
    public static Task<StoreLock> AcquireAloneAsync(StoreOptions store, string operation, CancellationToken cancellation = default) =>
        AcquireAsync(store, exclusive: true, $"the store {store.Display} is in use by a running node or run; stop it before {operation}", cancellation);

    private static async Task<StoreLock> AcquireAsync(StoreOptions store, bool exclusive, string inUse, CancellationToken cancellation)
    {
        try
        {
            return store.Kind == StoreKind.Sqlite ? LockFile(store, exclusive, inUse) : await LockSessionAsync(store, exclusive, inUse, cancellation);
        }
        catch (Exception e) when (StoreProblems.IsStoreFailure(e) && e is not StoreUnavailableException)
        {
            throw StoreProblems.Unavailable(store, e);
        }
    }

    private static StoreLock LockFile(StoreOptions store, bool exclusive, string inUse)
    {
        Directory.CreateDirectory(store.SqliteFolder!);
        var path = store.Display + ".lock";
        try
        {
            // On Unix .NET takes flock(2): FileShare.None is exclusive, FileShare.ReadWrite shared.
            return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, exclusive ? FileShare.None : FileShare.ReadWrite), null);
        }
        catch (IOException e) when (e.HResult is WouldBlock or SharingViolation)
        {
            throw new StoreUnavailableException(inUse, e);
        }
    }

    private static async Task<StoreLock> LockSessionAsync(StoreOptions store, bool exclusive, string inUse, CancellationToken cancellation)
    {
        var builder = new NpgsqlConnectionStringBuilder(store.ConnectionString) { Pooling = false, ApplicationName = "sweepcluster store lock" };
        var session = new NpgsqlConnection(builder.ToString());
        await session.OpenAsync(cancellation);
        await using var command = session.CreateCommand();
        command.CommandText = exclusive ? "SELECT pg_try_advisory_lock(@key)" : "SELECT pg_try_advisory_lock_shared(@key)";
        command.Parameters.AddWithValue("key", PostgresKey);
        if (await command.ExecuteScalarAsync(cancellation) is true)
        {
            return new StoreLock(null, session);
        }
        await session.DisposeAsync();
        throw new StoreUnavailableException(inUse, new InvalidOperationException("store locked"));
    }

    private static string InUse(StoreOptions store, bool exclusive) => exclusive
        ? $"the store {store.Display} is in use by another run or cluster; wait for it to end, follow it with `sweepcluster status`, or give this run another --store"
        : $"the store {store.Display} is in use by a one-process run; wait for it to end, or give this cluster another store";

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
        if (_session is not null)
        {
            await _session.DisposeAsync();
        }
    }
}
