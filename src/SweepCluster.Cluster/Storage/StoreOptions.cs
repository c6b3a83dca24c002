using LinqToDB;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SweepCluster.Cluster.Storage;

public enum StoreKind { Sqlite, Postgres }

/// <summary>
/// Where a study's events and training states live: a SQLite file (the embedded default,
/// <c>.sweepcluster/sweepcluster.db</c> in the working directory) or a PostgreSQL database.
/// </summary>
public sealed record StoreOptions(StoreKind Kind, string ConnectionString, string Display)
{
    public const string EnvironmentVariable = "SWEEPCLUSTER_STORE";
    public const string DefaultFolder = ".sweepcluster";

    /// <summary>A file holding the PostgreSQL password, for a connection string that has none (as Docker secrets provide it).</summary>
    public const string PasswordFileVariable = "SWEEPCLUSTER_STORE_PASSWORD_FILE";

    /// <summary>The store as it may be shown: never the connection string, which can hold a password.</summary>
    public override string ToString() => Display;

    public string Linq2DbProvider => Kind == StoreKind.Sqlite ? ProviderName.SQLiteMS : ProviderName.PostgreSQL15;

    /// <summary>
    /// A PostgreSQL connection string (<c>Host=...;Database=...</c> or a <c>postgresql://</c> URI) or a path
    /// to a SQLite file; null means <c>SWEEPCLUSTER_STORE</c>, else the embedded default.
    /// </summary>
    public static StoreOptions Resolve(string? value, string workingDirectory)
    {
        value ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return Sqlite(Path.Combine(workingDirectory, DefaultFolder, "sweepcluster.db"));
        }
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return Uri.TryCreate(value, UriKind.Absolute, out var uri)
                ? Postgres(FromUri(uri))
                : throw new InvalidStoreException("the PostgreSQL URI is not valid (postgresql://user@host:port/database)");
        }
        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return Postgres(value);
        }
        var path = Path.GetFullPath(value, workingDirectory);
        if (Directory.Exists(path))
        {
            throw new InvalidStoreException($"the store {path} is a folder; a SQLite store is a file: name one in it, e.g. {Path.Combine(value, "sweepcluster.db")}");
        }
        return Sqlite(path);
    }

    public static StoreOptions Sqlite(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60, Pooling = true };
        return new StoreOptions(StoreKind.Sqlite, builder.ToString(), path);
    }

    /// <summary>
    /// A PostgreSQL store. Without a password in the connection string, Npgsql looks in $PGPASSWORD and in
    /// ~/.pgpass (or $PGPASSFILE); before that, this reads the file named by $SWEEPCLUSTER_STORE_PASSWORD_FILE.
    /// </summary>
    public static StoreOptions Postgres(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            // Npgsql's message names the keyword, never its value, which may be the password.
            throw new InvalidStoreException($"the PostgreSQL connection string is not valid: {e.Message}");
        }
        if (string.IsNullOrEmpty(builder.Password) && Environment.GetEnvironmentVariable(PasswordFileVariable) is { Length: > 0 } passwordFile)
        {
            builder.Password = ReadPassword(passwordFile);
        }
        return new StoreOptions(StoreKind.Postgres, builder.ToString(), $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}");
    }

    private static string ReadPassword(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length is 0 or > 4096)
            {
                throw new InvalidStoreException($"${PasswordFileVariable}: {path} {(info.Exists ? "is empty or longer than 4096 bytes" : "does not exist")}");
            }
            return File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidStoreException($"${PasswordFileVariable}: cannot read {path} ({e.GetType().Name})");
        }
    }

    private static string FromUri(Uri uri)
    {
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432, Database = uri.AbsolutePath.TrimStart('/') };
        var user = uri.UserInfo.Split(':', 2);
        if (user[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(user[0]);
        }
        if (user.Length > 1)
        {
            builder.Password = Uri.UnescapeDataString(user[1]);
        }
        return builder.ToString();
    }

    /// <summary>
    /// The same SQLite file opened as an unchanging snapshot: how a file on a read-only disk (or one this
    /// user may not write) is read, since SQLite otherwise needs to write beside a WAL-mode file even to read it.
    /// </summary>
    public StoreOptions ReadOnlySnapshot()
    {
        if (Kind != StoreKind.Sqlite)
        {
            return this;
        }
        var uri = new UriBuilder { Scheme = "file", Host = "", Path = Display, Query = "immutable=1" }.Uri.AbsoluteUri;
        var builder = new SqliteConnectionStringBuilder { DataSource = uri, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        return this with { ConnectionString = builder.ToString() };
    }

    /// <summary>False only for a SQLite store whose file was never created (nothing was ever run with it).</summary>
    public bool MayHoldStudies => Kind != StoreKind.Sqlite || File.Exists(Display);

    /// <summary>The SQLite file's folder, when the store is SQLite.</summary>
    public string? SqliteFolder => Kind == StoreKind.Sqlite ? Path.GetDirectoryName(Display) : null;
}

/// <summary>A store named in a way that cannot work (a malformed connection string, an unreadable password file): bad input.</summary>
public sealed class InvalidStoreException(string message) : Exception(message);
