using System.Data.Common;

namespace SweepCluster.Cluster.Storage;

/// <summary>
/// Training states (safetensors bytes) of trials, stored with the study in the same database, so a trial
/// can continue on any worker with no shared filesystem. The journal records which state counts
/// (TrialStateSaved, written after the bytes); a trial continues from exactly that step, never from a
/// newer row whose event was not written (its checkpoints may not be stored). Older rows are pruned once a
/// newer one is recorded. The bytes live here because replaying megabytes of old states on every
/// recovery would make recovery slow.
/// </summary>
public sealed class TrainingStateStore(StoreOptions store)
{
    private const string Table = "sweepcluster_trial_states";
    private int _created;

    public Task SaveAsync(string studyId, string trialId, int attempt, long step, byte[] state, CancellationToken cancellation = default) =>
        RunAsync(
            $"""
            INSERT INTO {Table} (study_id, trial_id, attempt, step, state) VALUES (@study, @trial, @attempt, @step, @state)
            ON CONFLICT (study_id, trial_id, step) DO UPDATE SET attempt = excluded.attempt, state = excluded.state
            """,
            command => command.ExecuteNonQueryAsync(cancellation),
            cancellation,
            ("study", studyId), ("trial", trialId), ("attempt", attempt), ("step", step), ("state", state));

    /// <summary>The state saved at exactly this step, or null (the trial then starts over, which is safe).</summary>
    public async Task<byte[]?> LoadAsync(string studyId, string trialId, long step, CancellationToken cancellation = default) =>
        await RunAsync(
            $"SELECT state FROM {Table} WHERE study_id = @study AND trial_id = @trial AND step = @step",
            command => command.ExecuteScalarAsync(cancellation),
            cancellation,
            ("study", studyId), ("trial", trialId), ("step", step)) as byte[];

    public Task DeleteOlderAsync(string studyId, string trialId, long step, CancellationToken cancellation = default) =>
        RunAsync(
            $"DELETE FROM {Table} WHERE study_id = @study AND trial_id = @trial AND step < @step",
            command => command.ExecuteNonQueryAsync(cancellation),
            cancellation,
            ("study", studyId), ("trial", trialId), ("step", step));

    private async Task<T> RunAsync<T>(string sql, Func<DbCommand, Task<T>> execute, CancellationToken cancellation, params (string Name, object Value)[] parameters)
    {
        await using var connection = await StoreConnections.OpenAsync(store, cancellation);
        await EnsureTableAsync(connection, cancellation);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return await execute(command);
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
                PRIMARY KEY (study_id, trial_id, step))
            """;
        await command.ExecuteNonQueryAsync(cancellation);
        Volatile.Write(ref _created, 1);
    }
}
