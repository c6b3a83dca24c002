using System.Data.Common;

namespace SweepCluster.Cluster.Storage;

/// <summary>
/// The latest training state (safetensors bytes) of each trial, stored with the study in the same
/// database, so a trial can continue on any worker with no shared filesystem. The journal records that a
/// state was saved (TrialStateSaved); the bytes live here because replaying megabytes of old states on
/// every recovery would make recovery slow.
/// </summary>
public sealed class TrainingStateStore(StoreOptions store)
{
    private const string Table = "sweepcluster_training_states";
    private int _created;

    public async Task SaveAsync(string studyId, string trialId, int attempt, long step, byte[] state, CancellationToken cancellation = default)
    {
        await using var connection = await StoreConnections.OpenAsync(store, cancellation);
        await EnsureTableAsync(connection, cancellation);
        await using var command = connection.CreateCommand();
        // Keep the newest step: a late duplicate of an older state never overwrites a newer one.
        command.CommandText = $"""
            INSERT INTO {Table} (study_id, trial_id, attempt, step, state) VALUES (@study, @trial, @attempt, @step, @state)
            ON CONFLICT (study_id, trial_id) DO UPDATE SET attempt = excluded.attempt, step = excluded.step, state = excluded.state
            WHERE excluded.step >= {Table}.step
            """;
        Add(command, "study", studyId);
        Add(command, "trial", trialId);
        Add(command, "attempt", attempt);
        Add(command, "step", step);
        Add(command, "state", state);
        await command.ExecuteNonQueryAsync(cancellation);
    }

    public async Task<(long Step, byte[] State)?> LoadAsync(string studyId, string trialId, CancellationToken cancellation = default)
    {
        await using var connection = await StoreConnections.OpenAsync(store, cancellation);
        await EnsureTableAsync(connection, cancellation);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT step, state FROM {Table} WHERE study_id = @study AND trial_id = @trial";
        Add(command, "study", studyId);
        Add(command, "trial", trialId);
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        if (!await reader.ReadAsync(cancellation))
        {
            return null;
        }
        return (reader.GetInt64(0), (byte[])reader.GetValue(1));
    }

    private async Task EnsureTableAsync(DbConnection connection, CancellationToken cancellation)
    {
        if (Volatile.Read(ref _created) == 1)
        {
            return;
        }
        await using var command = connection.CreateCommand();
        var blob = store.Kind == StoreKind.Sqlite ? "BLOB" : "BYTEA";
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                study_id TEXT NOT NULL, trial_id TEXT NOT NULL, attempt INTEGER NOT NULL, step BIGINT NOT NULL, state {blob} NOT NULL,
                PRIMARY KEY (study_id, trial_id))
            """;
        await command.ExecuteNonQueryAsync(cancellation);
        Volatile.Write(ref _created, 1);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
