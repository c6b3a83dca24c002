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
            return Postgres(FromUri(new Uri(value)));
        }
        if (value.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return Postgres(value);
        }
        return Sqlite(Path.GetFullPath(value, workingDirectory));
    }

    public static StoreOptions Sqlite(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60, Pooling = true };
        return new StoreOptions(StoreKind.Sqlite, builder.ToString(), path);
    }

    public static StoreOptions Postgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new StoreOptions(StoreKind.Postgres, builder.ToString(), $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}");
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

    /// <summary>False only for a SQLite store whose file was never created (nothing was ever run with it).</summary>
    public bool MayHoldStudies => Kind != StoreKind.Sqlite || File.Exists(Display);

    /// <summary>The SQLite file's folder, when the store is SQLite.</summary>
    public string? SqliteFolder => Kind == StoreKind.Sqlite ? Path.GetDirectoryName(Display) : null;
}
