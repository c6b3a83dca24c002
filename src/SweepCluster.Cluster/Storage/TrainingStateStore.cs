using System.Data.Common;

namespace SweepCluster.Cluster.Storage;

/// <summary>Where training states are kept, in chunks: the coordinator's view of the store, replaceable in tests.</summary>
public interface ITrainingStateStore
{
    /// <summary>Stores (or replaces) chunk <paramref name="index"/> of the state at <paramref name="atStep"/>, written by <paramref name="attempt"/>.</summary>
    Task SaveChunkAsync(string studyId, string trialId, int attempt, long atStep, int index, byte[] bytes, CancellationToken cancellation = default);

    /// <summary>How many chunks, and bytes in them, <paramref name="attempt"/> has stored for the state at <paramref name="atStep"/>.</summary>
    Task<(int Count, long Length)> MeasureAsync(string studyId, string trialId, int attempt, long atStep, CancellationToken cancellation = default);

    /// <summary>Chunk <paramref name="index"/> of the state stored at exactly this step, with the state's chunk count; null when it is not stored.</summary>
    Task<(byte[] Bytes, int Count)?> LoadChunkAsync(string studyId, string trialId, long atStep, int index, CancellationToken cancellation = default);

    /// <summary>Drops every state of the trial but the one at <paramref name="atStep"/> (the recorded one).</summary>
    Task DeleteOthersAsync(string studyId, string trialId, long atStep, CancellationToken cancellation = default);
}

/// <summary>
/// Training states (safetensors bytes) of trials, stored with the study in the same database, so a trial
/// can continue on any worker with no shared filesystem. A state is kept as rows of at most
/// <see cref="Protocol.StateChunks.Size"/> bytes, so that neither a transfer nor a row needs the whole
/// state in one piece. The journal records which state counts (TrialStateSaved, written after every
/// chunk); a trial continues from exactly that step, never from a newer state whose event was not written
/// (its checkpoints may not be stored). Other states are pruned once a newer one is recorded. The bytes
/// live here because replaying megabytes of old states on every recovery would make recovery slow.
/// </summary>
public sealed class TrainingStateStore(StoreOptions store) : ITrainingStateStore
{
    public const string Table = "sweepcluster_state_chunks";
    private int _created;

    public Task SaveChunkAsync(string studyId, string trialId, int attempt, long atStep, int index, byte[] bytes, CancellationToken cancellation = default) =>
        RunAsync(
            $"""
            INSERT INTO {Table} (study_id, trial_id, step, chunk, attempt, bytes) VALUES (@study, @trial, @step, @chunk, @attempt, @bytes)
            ON CONFLICT (study_id, trial_id, step, chunk) DO UPDATE SET attempt = excluded.attempt, bytes = excluded.bytes
            """,
            command => command.ExecuteNonQueryAsync(cancellation),
            cancellation,
            ("study", studyId), ("trial", trialId), ("step", atStep), ("chunk", index), ("attempt", attempt), ("bytes", bytes));

    public Task<(int Count, long Length)> MeasureAsync(string studyId, string trialId, int attempt, long atStep, CancellationToken cancellation = default) =>
        RunAsync(
            $"SELECT COUNT(*), COALESCE(SUM(LENGTH(bytes)), 0) FROM {Table} WHERE study_id = @study AND trial_id = @trial AND step = @step AND attempt = @attempt",
            async command =>
            {
                await using var reader = await command.ExecuteReaderAsync(cancellation);
                await reader.ReadAsync(cancellation);
                return ((int)reader.GetInt64(0), reader.GetInt64(1));
            },
            cancellation,
            ("study", studyId), ("trial", trialId), ("step", atStep), ("attempt", attempt));

    public Task<(byte[] Bytes, int Count)?> LoadChunkAsync(string studyId, string trialId, long atStep, int index, CancellationToken cancellation = default) =>
        RunAsync<(byte[] Bytes, int Count)?>(
            $"""
            SELECT bytes, (SELECT COUNT(*) FROM {Table} WHERE study_id = @study AND trial_id = @trial AND step = @step)
            FROM {Table} WHERE study_id = @study AND trial_id = @trial AND step = @step AND chunk = @chunk
            """,
            async command =>
            {
                await using var reader = await command.ExecuteReaderAsync(cancellation);
                return await reader.ReadAsync(cancellation) ? ((byte[])reader.GetValue(0), (int)reader.GetInt64(1)) : null;
            },
            cancellation,
            ("study", studyId), ("trial", trialId), ("step", atStep), ("chunk", index));

    public Task DeleteOthersAsync(string studyId, string trialId, long atStep, CancellationToken cancellation = default) =>
        RunAsync(
            $"DELETE FROM {Table} WHERE study_id = @study AND trial_id = @trial AND step <> @step",
            command => command.ExecuteNonQueryAsync(cancellation),
            cancellation,
            ("study", studyId), ("trial", trialId), ("step", atStep));

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
                study_id TEXT NOT NULL, trial_id TEXT NOT NULL, step BIGINT NOT NULL, chunk INTEGER NOT NULL, attempt INTEGER NOT NULL, bytes {blob} NOT NULL,
                PRIMARY KEY (study_id, trial_id, step, chunk))
            """;
        await command.ExecuteNonQueryAsync(cancellation);
        Volatile.Write(ref _created, 1);
    }
}
