using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SweepCluster.Cluster.Storage;

/// <summary>
/// Says in one line why a store could not be used, from the exception its driver threw: the words a user
/// can act on (not a database, disk full, read-only, wrong password, nothing listening), never a stack trace.
/// </summary>
public static class StoreProblems
{
    /// <summary>True for the failures a store can cause that are not bugs of ours.</summary>
    public static bool IsStoreFailure(Exception e) =>
        e is DbException or SocketException or TimeoutException or UnauthorizedAccessException
        || (e is IOException && !e.GetType().Name.Contains("Pipe", StringComparison.Ordinal))
        || (e is InvalidOperationException && e.InnerException is not null && IsStoreFailure(e.InnerException));

    /// <summary>Failures that retrying will not mend by itself: full disk, read-only store, not a database, refused login.</summary>
    public static bool IsPermanent(Exception e) => (e is AggregateException { InnerException: { } a } ? a : e) switch
    {
        SqliteException { SqliteErrorCode: 8 or 13 or 14 or 26 } => true,
        PostgresException { SqlState: "53100" or "25006" or "28P01" or "28000" or "3D000" } => true,
        IOException io => IsDiskFull(io),
        { InnerException: { } inner } => IsPermanent(inner),
        _ => false,
    };

    /// <summary>ENOSPC, as .NET reports it for a file write.</summary>
    public static bool IsDiskFull(IOException e) => e.HResult == 28 || e.Message.Contains("No space left", StringComparison.Ordinal);

    /// <summary>
    /// A store this process may read but not write: a read-only disk or file, a WAL-mode SQLite file whose
    /// folder it cannot write, a PostgreSQL role or transaction that may only read.
    /// </summary>
    public static bool IsUnwritable(Exception e) => (e is AggregateException { InnerException: { } a } ? a : e) switch
    {
        SqliteException { SqliteErrorCode: 8 or 14 } => true,
        PostgresException { SqlState: "42501" or "25006" } => true,
        StoreUnavailableException { InnerException: { } inner } => IsUnwritable(inner),
        InvalidOperationException { InnerException: { } inner } => IsUnwritable(inner),
        _ => false,
    };

    public static StoreUnavailableException Unavailable(StoreOptions store, Exception e) =>
        e as StoreUnavailableException ?? new StoreUnavailableException($"cannot use the store {store.Display}: {Describe(store, e)}", e);

    /// <summary>As <see cref="Describe(Exception)"/>, telling a SQLite file that cannot be opened apart by whether its folder can be written.</summary>
    public static string Describe(StoreOptions store, Exception e) =>
        (e.InnerException ?? e) is SqliteException { SqliteErrorCode: 14 or 8 } or IOException or UnauthorizedAccessException && store.SqliteFolder is { } folder && Directory.Exists(folder) && !CanWrite(folder)
            ? "its folder cannot be written (a read-only disk, or no permission): SQLite needs to write beside the file"
            : Describe(e);

    private static bool CanWrite(string folder)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(folder, $".sweepcluster-probe-{Environment.ProcessId}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static string Describe(Exception e) => e switch
    {
        AggregateException { InnerException: { } a } => Describe(a),
        SqliteException { SqliteErrorCode: 26 } => "it is not a SQLite database",
        SqliteException { SqliteErrorCode: 13 } => "the disk is full",
        SqliteException { SqliteErrorCode: 8 } => "it is read-only (no permission to write the file or its folder)",
        SqliteException { SqliteErrorCode: 14 } => "the file cannot be opened (does its folder exist, and may this user read it?)",
        SqliteException { SqliteErrorCode: 5 or 6 } => "another process holds it locked",
        SqliteException s => $"SQLite error {s.SqliteErrorCode}: {s.Message.Replace("SQLite Error ", "", StringComparison.Ordinal)}",
        PostgresException { SqlState: "28P01" or "28000" } p => $"PostgreSQL refused the login ({p.MessageText})",
        PostgresException { SqlState: "3D000" } p => $"no such database ({p.MessageText})",
        PostgresException { SqlState: "53100" } => "the database server's disk is full",
        PostgresException { SqlState: "25006" } => "the database is read-only",
        PostgresException p => $"PostgreSQL error {p.SqlState}: {p.MessageText}",
        NpgsqlException { InnerException: SocketException s } => $"PostgreSQL does not answer ({s.Message})",
        NpgsqlException { InnerException: TimeoutException } => "PostgreSQL did not answer in time",
        NpgsqlException n => n.Message,
        IOException io when IsDiskFull(io) => "the disk is full",
        UnauthorizedAccessException => "permission denied",
        InvalidOperationException { InnerException: { } inner } => Describe(inner),
        _ => e.Message,
    };
}
