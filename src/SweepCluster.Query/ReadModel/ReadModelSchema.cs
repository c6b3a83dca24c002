using SweepCluster.Protocol.Metrics;
using System.Data.Common;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Query.ReadModel;

/// <summary>
/// The query tables, in the same database as the journal. They hold nothing the journal does not:
/// <see cref="DropAsync"/> and a projection from offset 0 rebuild them.
/// </summary>
public static class ReadModelSchema
{
    public const string Offsets = "sweepcluster_projection_offsets";
    public const string Studies = "sweepcluster_studies";
    public const string Trials = "sweepcluster_trials";
    public const string Checkpoints = "sweepcluster_checkpoints";

    /// <summary>The checkpoint columns: the metric registry's names, in its order.</summary>
    public static IReadOnlyList<string> CheckpointColumns => MetricRegistry.Names;

    public static async Task EnsureAsync(DbConnection connection, StoreKind kind, CancellationToken cancellation = default)
    {
        var real = kind == StoreKind.Sqlite ? "REAL" : "DOUBLE PRECISION";
        var metrics = string.Join(", ", CheckpointColumns.Skip(1).Select(c => $"{c} {real}"));
        string[] statements =
        [
            $"CREATE TABLE IF NOT EXISTS {Offsets} (projection TEXT PRIMARY KEY, last_offset BIGINT NOT NULL)",
            $"""
            CREATE TABLE IF NOT EXISTS {Studies} (
                study_id TEXT PRIMARY KEY, description TEXT, phase TEXT NOT NULL, max_retries INTEGER NOT NULL,
                created_at TEXT, finished_at TEXT)
            """,
            $"""
            CREATE TABLE IF NOT EXISTS {Trials} (
                study_id TEXT NOT NULL, trial_id TEXT NOT NULL, ordinal INTEGER NOT NULL, spec_json TEXT NOT NULL,
                algorithm TEXT NOT NULL, lr {real} NOT NULL, seed INTEGER NOT NULL, steps INTEGER NOT NULL,
                status TEXT NOT NULL, attempt INTEGER NOT NULL, failures INTEGER NOT NULL, node TEXT,
                last_step BIGINT NOT NULL, checkpoint_count BIGINT NOT NULL, end_kind TEXT, first_fit_step BIGINT, reason TEXT,
                config_json TEXT, PRIMARY KEY (study_id, trial_id))
            """,
            $"CREATE TABLE IF NOT EXISTS {Checkpoints} (study_id TEXT NOT NULL, trial_id TEXT NOT NULL, step BIGINT NOT NULL, {metrics}, PRIMARY KEY (study_id, trial_id, step))",
            // With trial_id last, a lookup of one (study, trial, step) is as cheap through this index as through
            // the primary key, so a planner that picks either one never scans a study's checkpoints per trial.
            $"DROP INDEX IF EXISTS {Checkpoints}_by_step",
            $"CREATE INDEX IF NOT EXISTS {Checkpoints}_by_step_trial ON {Checkpoints} (study_id, step, trial_id)",
        ];
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellation);
        }
        await AddMissingColumnsAsync(connection, kind, cancellation);
    }

    /// <summary>
    /// Read models made before a column existed get it, empty: <c>config_json</c> (queries then flatten each
    /// trial's spec instead, which gives the same answers more slowly, until <c>project --rebuild</c> fills it)
    /// and any metric added to the registry since (its value is missing for the checkpoints stored before).
    /// </summary>
    private static async Task AddMissingColumnsAsync(DbConnection connection, StoreKind kind, CancellationToken cancellation)
    {
        var real = kind == StoreKind.Sqlite ? "REAL" : "DOUBLE PRECISION";
        await AddColumnsAsync(connection, Trials, [("config_json", "TEXT")], cancellation);
        await AddColumnsAsync(connection, Checkpoints, CheckpointColumns.Skip(1).Select(c => (c, real)).ToList(), cancellation);
    }

    private static async Task AddColumnsAsync(DbConnection connection, string table, IReadOnlyList<(string Name, string Type)> wanted, CancellationToken cancellation)
    {
        // The table's columns are read once (PostgreSQL's ADD COLUMN IF NOT EXISTS would lock the table on every call).
        var present = await ColumnsAsync(connection, table, cancellation);
        foreach (var (name, type) in wanted.Where(c => !present.Contains(c.Name)))
        {
            try
            {
                await Sql.ExecuteAsync(connection, null, $"ALTER TABLE {table} ADD COLUMN {name} {type}", cancellation);
            }
            catch (DbException)
            {
                // Another process may have added it first; anything else is a real failure.
                if (!(await ColumnsAsync(connection, table, cancellation)).Contains(name))
                {
                    throw;
                }
            }
        }
    }

    private static async Task<HashSet<string>> ColumnsAsync(DbConnection connection, string table, CancellationToken cancellation)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table} LIMIT 0";
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public static async Task DropAsync(DbConnection connection, CancellationToken cancellation = default)
    {
        foreach (var table in new[] { Checkpoints, Trials, Studies, Offsets })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"DROP TABLE IF EXISTS {table}";
            await command.ExecuteNonQueryAsync(cancellation);
        }
    }
}
