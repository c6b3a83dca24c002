using System.Data.Common;
using System.Globalization;
using SweepCluster.Protocol;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Query.ReadModel;

/// <summary>The projection's stored offset moved back (the read model was rebuilt): the stream must start again from it.</summary>
public sealed class ProjectionOffsetMovedException(long expected, long stored)
    : Exception($"the read model's offset is {stored}, this projection expected {expected}: it was rebuilt");

/// <summary>
/// Applies study events to the query tables. Each batch is one transaction that also moves the stored
/// offset, under the database's write lock, so every event is applied exactly once however many
/// projections run (a live node and a query catching up, say): events at or below the stored offset
/// are skipped. Row writes are keyed (study, trial, step), so the same checkpoint is never stored twice.
/// </summary>
public sealed class ReadModelWriter(StoreOptions store, string projection = ReadModelWriter.DefaultProjection)
{
    public const string DefaultProjection = "study-read-model";

    private readonly SchemaCheck _schema = new(store.Kind);

    /// <summary>The offset up to which events are applied (0: none).</summary>
    public async Task<long> StoredOffsetAsync(CancellationToken cancellation = default)
    {
        await using var connection = await StoreConnections.OpenAsync(store, cancellation);
        await _schema.EnsureAsync(connection, cancellation);
        return await OffsetAsync(connection, null, cancellation);
    }

    /// <summary>
    /// Applies the events after the stored offset and returns the new offset. <paramref name="expected"/>
    /// is the offset the caller's stream started from or last wrote; a stored offset behind it means the
    /// read model was rebuilt under the caller, who must start again (<see cref="ProjectionOffsetMovedException"/>).
    /// </summary>
    public async Task<long> ApplyAsync(IReadOnlyList<ProjectedEvent> events, long expected, CancellationToken cancellation = default)
    {
        try
        {
            return await ApplyInTransactionAsync(events, expected, cancellation);
        }
        catch (DbException)
        {
            // The tables may have been dropped by a rebuild since they were checked: check, and try once more
            // (the failed transaction changed nothing).
            _schema.Forget();
            return await ApplyInTransactionAsync(events, expected, cancellation);
        }
    }

    private async Task<long> ApplyInTransactionAsync(IReadOnlyList<ProjectedEvent> events, long expected, CancellationToken cancellation)
    {
        await using var connection = await StoreConnections.OpenAsync(store, cancellation);
        await _schema.EnsureAsync(connection, cancellation);
        // SQLite: BEGIN IMMEDIATE takes the write lock now. PostgreSQL: the offset row is locked below.
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await Sql.ExecuteAsync(connection, transaction, $"INSERT INTO {ReadModelSchema.Offsets} (projection, last_offset) VALUES (@p, 0) ON CONFLICT (projection) DO NOTHING", cancellation, ("p", projection));
        var stored = await OffsetAsync(connection, transaction, cancellation, forUpdate: store.Kind == StoreKind.Postgres);
        if (stored < expected)
        {
            throw new ProjectionOffsetMovedException(expected, stored);
        }
        var fresh = events.Where(e => e.Offset > stored).ToList();
        if (fresh.Count == 0)
        {
            return stored;
        }
        var apply = new EventApplier(connection, transaction);
        foreach (var e in fresh)
        {
            await apply.ApplyAsync(e.StudyId, e.Event, cancellation);
        }
        await apply.DisposeAsync();
        var offset = fresh[^1].Offset;
        await Sql.ExecuteAsync(connection, transaction, $"UPDATE {ReadModelSchema.Offsets} SET last_offset = @o WHERE projection = @p", cancellation, ("o", offset), ("p", projection));
        await transaction.CommitAsync(cancellation);
        return offset;
    }

    private async Task<long> OffsetAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellation, bool forUpdate = false)
    {
        var value = await Sql.ScalarAsync(connection, transaction,
            $"SELECT last_offset FROM {ReadModelSchema.Offsets} WHERE projection = @p" + (forUpdate ? " FOR UPDATE" : ""), cancellation, ("p", projection));
        return value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <summary>One event's changes to the rows, inside the batch's transaction.</summary>
    private sealed class EventApplier(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
    {
        private static readonly string[] KeyColumns = ["study_id", "trial_id"];

        private DbCommand? _insertCheckpoint;

        public async Task ApplyAsync(string studyId, IStudyEvent e, CancellationToken cancellation)
        {
            switch (e)
            {
                case StudyCreated c:
                    await ExecuteAsync(
                        $"""
                        INSERT INTO {ReadModelSchema.Studies} (study_id, description, phase, max_retries, created_at) VALUES (@s, @d, 'running', @r, @at)
                        ON CONFLICT (study_id) DO UPDATE SET description = excluded.description, phase = excluded.phase, max_retries = excluded.max_retries, created_at = excluded.created_at
                        """,
                        cancellation, ("s", studyId), ("d", c.Description), ("r", c.MaxRetries), ("at", Time(c.At)));
                    break;
                case TrialsAdded a:
                    await AddTrialsAsync(studyId, a, cancellation);
                    break;
                case TrialAssigned a:
                    await UpdateTrialAsync(studyId, a.TrialId, "status = 'running', attempt = @a, node = @n, reason = NULL", cancellation, ("a", a.Attempt), ("n", a.Node));
                    break;
                case CheckpointsRecorded r when r.Checkpoints.Count > 0:
                    foreach (var checkpoint in r.Checkpoints)
                    {
                        await InsertCheckpointAsync(studyId, r.TrialId, checkpoint, cancellation);
                    }
                    await UpdateTrialAsync(studyId, r.TrialId, "last_step = @last, checkpoint_count = checkpoint_count + @n", cancellation,
                        ("last", r.Checkpoints[^1].Step), ("n", (long)r.Checkpoints.Count));
                    break;
                case TrialCompleted c:
                    await UpdateTrialAsync(studyId, c.TrialId, "status = 'completed', end_kind = @e, first_fit_step = @f, reason = @r, node = NULL", cancellation,
                        ("e", EnumNames.Of(c.End)), ("f", c.FirstFitStep), ("r", c.Reason));
                    break;
                case TrialFailed f:
                    await UpdateTrialAsync(studyId, f.TrialId, "status = @st, failures = failures + 1, reason = @r, node = NULL", cancellation,
                        ("st", EnumNames.Of(f.WillRetry ? TrialStatus.Pending : TrialStatus.Failed)), ("r", f.Reason));
                    break;
                case TrialReleased r:
                    await UpdateTrialAsync(studyId, r.TrialId, "status = 'pending', reason = @r, node = NULL", cancellation, ("r", r.Reason));
                    break;
                case TrialPruned p:
                    await UpdateTrialAsync(studyId, p.TrialId, "status = 'pruned', reason = @r, node = NULL", cancellation, ("r", p.Evidence.Describe()));
                    break;
                case StudyInterrupted:
                    await UpdateStudyAsync(studyId, "phase = 'interrupted'", cancellation);
                    break;
                case StudyResumed:
                    await UpdateStudyAsync(studyId, "phase = 'running', finished_at = NULL", cancellation);
                    break;
                case StudyFinished f:
                    await UpdateStudyAsync(studyId, "phase = 'finished', finished_at = @at", cancellation, ("at", Time(f.At)));
                    break;
                default:
                    // TrialStateSaved, empty re-sent batches and rungs a configuration passed change nothing a query shows.
                    break;
            }
        }

        private async Task AddTrialsAsync(string studyId, TrialsAdded added, CancellationToken cancellation)
        {
            var ordinal = Convert.ToInt32(await Sql.ScalarAsync(connection, transaction, $"SELECT COUNT(*) FROM {ReadModelSchema.Trials} WHERE study_id = @s", cancellation, ("s", studyId)), CultureInfo.InvariantCulture);
            // Queries and exports show each trial's spec as it ran: a coordinate trial journaled before
            // kink_hold was a key gets the rule it ran with (the journal itself keeps what it stored).
            var engine = EngineVersion.Of(added.Engine, added.At);
            foreach (var definition in added.Trials)
            {
                var specJson = LegacyCoordinate.AsRun(definition.SpecJson, engine);
                var spec = TrialJson.Deserialize<TrialSpec>(specJson);
                var inserted = await ExecuteAsync(
                    $"""
                    INSERT INTO {ReadModelSchema.Trials} (study_id, trial_id, ordinal, spec_json, config_json, algorithm, lr, seed, steps, status, attempt, failures, last_step, checkpoint_count)
                    VALUES (@s, @t, @o, @j, @c, @a, @lr, @seed, @steps, 'pending', 0, 0, -1, 0) ON CONFLICT (study_id, trial_id) DO NOTHING
                    """,
                    cancellation, ("s", studyId), ("t", definition.TrialId), ("o", ordinal), ("j", specJson), ("c", ReplicateConfig.Of(specJson)),
                    ("a", EnumNames.Of(spec.Algorithm)),
                    ("lr", spec.Lr), ("seed", spec.Seed), ("steps", spec.Steps));
                ordinal += inserted;
            }
        }

        private async Task InsertCheckpointAsync(string studyId, string trialId, Checkpoint c, CancellationToken cancellation)
        {
            if (_insertCheckpoint is null)
            {
                var columns = string.Join(", ", ReadModelSchema.CheckpointColumns);
                var parameters = string.Join(", ", ReadModelSchema.CheckpointColumns.Select(n => "@" + n));
                _insertCheckpoint = Sql.Command(connection, transaction,
                    $"INSERT INTO {ReadModelSchema.Checkpoints} (study_id, trial_id, {columns}) VALUES (@study_id, @trial_id, {parameters}) ON CONFLICT (study_id, trial_id, step) DO NOTHING");
                foreach (var name in KeyColumns.Concat(ReadModelSchema.CheckpointColumns))
                {
                    Sql.Add(_insertCheckpoint, name, null);
                }
            }
            _insertCheckpoint.Parameters[0].Value = studyId;
            _insertCheckpoint.Parameters[1].Value = trialId;
            var values = MetricRegistry.Values(c);
            for (var i = 0; i < values.Length; i++)
            {
                _insertCheckpoint.Parameters[i + 2].Value = values[i] ?? DBNull.Value;
            }
            await _insertCheckpoint.ExecuteNonQueryAsync(cancellation);
        }

        private Task<int> UpdateTrialAsync(string studyId, string trialId, string set, CancellationToken cancellation, params (string, object?)[] parameters) =>
            ExecuteAsync($"UPDATE {ReadModelSchema.Trials} SET {set} WHERE study_id = @s AND trial_id = @t", cancellation, [.. parameters, ("s", studyId), ("t", trialId)]);

        private Task<int> UpdateStudyAsync(string studyId, string set, CancellationToken cancellation, params (string, object?)[] parameters) =>
            ExecuteAsync($"UPDATE {ReadModelSchema.Studies} SET {set} WHERE study_id = @s", cancellation, [.. parameters, ("s", studyId)]);

        private Task<int> ExecuteAsync(string sql, CancellationToken cancellation, params (string, object?)[] parameters) =>
            Sql.ExecuteAsync(connection, transaction, sql, cancellation, parameters);

        private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

        public async ValueTask DisposeAsync()
        {
            if (_insertCheckpoint is not null)
            {
                await _insertCheckpoint.DisposeAsync();
                _insertCheckpoint = null;
            }
        }
    }
}
