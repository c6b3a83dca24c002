using SweepCluster.Protocol.Metrics;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Query.ReadModel;

/// <summary>
/// Where in a trial's life a query looks: its last checkpoint, a given step, the first checkpoint at 100%
/// training accuracy, or the first checkpoint with the loss at most a value (comparisons at equal loss
/// separate an algorithm's bias from its speed).
/// </summary>
public abstract record CheckpointAt
{
    /// <summary>What <see cref="Parse"/> takes, for messages.</summary>
    public const string Forms = "final, fit, step=N (N a whole number of steps) or loss=X (X a positive number)";

    public sealed record Last : CheckpointAt;

    public sealed record AtStep(long Value) : CheckpointAt;

    public sealed record FirstFit : CheckpointAt;

    public sealed record AtLoss(double Value) : CheckpointAt;

    /// <summary>final, fit, step=N or loss=X; null for anything else.</summary>
    public static CheckpointAt? Parse(string? text) => text switch
    {
        null or "final" => new Last(),
        "fit" => new FirstFit(),
        _ when text.StartsWith("step=", StringComparison.Ordinal) && long.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            => new AtStep(step),
        _ when text.StartsWith("loss=", StringComparison.Ordinal) && double.TryParse(text.AsSpan(5), NumberStyles.Float, CultureInfo.InvariantCulture, out var loss)
            && loss > 0 && double.IsFinite(loss)
            => new AtLoss(loss),
        _ => null,
    };
}

/// <summary>Reads the query tables; never the journal.</summary>
public sealed class ReadModelReader(StoreOptions store)
{
    /// <summary>The store it reads (a read-only snapshot of it when it cannot be written).</summary>
    public StoreOptions Store => store;

    private static readonly string CheckpointSelect = string.Join(", ", ReadModelSchema.CheckpointColumns.Select(c => "c." + c));


    public async Task<IReadOnlyList<StudyRow>> StudiesAsync(string? studyId = null, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        await using var command = Sql.Command(connection, null,
            $"SELECT study_id, description, phase, max_retries, created_at, finished_at FROM {ReadModelSchema.Studies}"
            + (studyId is null ? "" : " WHERE study_id = @s") + " ORDER BY study_id",
            ("s", studyId));
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var studies = new List<StudyRow>();
        while (await reader.ReadAsync(cancellation))
        {
            studies.Add(new StudyRow(reader.GetString(0), Sql.NullableString(reader, 1), EnumNames.Parse<StudyPhase>(reader.GetString(2)), reader.GetInt32(3),
                Time(Sql.NullableString(reader, 4)), Time(Sql.NullableString(reader, 5))));
        }
        return studies;
    }

    /// <summary>
    /// How far the projection has come: it grows with every write to the query tables, so anything computed
    /// from them stays valid while it does not change.
    /// </summary>
    public async Task<long> VersionAsync(CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        return await Sql.ScalarAsync(connection, null, $"SELECT MAX(last_offset) FROM {ReadModelSchema.Offsets}", cancellation) is { } value and not DBNull
            ? Convert.ToInt64(value, CultureInfo.InvariantCulture)
            : 0;
    }

    /// <summary>Each study's trials counted by state, and how far they are (0 to 1), in one pass over the trials table.</summary>
    public async Task<IReadOnlyDictionary<string, StudyCounts>> CountsAsync(string? studyId = null, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        await using var command = Sql.Command(connection, null,
            $"""
            SELECT study_id, status, end_kind, COUNT(*),
                   SUM(CASE WHEN status IN ('completed', 'failed', 'pruned') THEN 1.0 WHEN last_step < 0 THEN 0.0 ELSE (last_step + 1.0) / (steps + 1.0) END)
            FROM {ReadModelSchema.Trials} {(studyId is null ? "" : "WHERE study_id = @s")} GROUP BY study_id, status, end_kind
            """,
            ("s", studyId));
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var counts = new Dictionary<string, StudyCounts>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellation))
        {
            var study = reader.GetString(0);
            var status = EnumNames.Parse<TrialStatus>(reader.GetString(1));
            TrialEnd? end = Sql.NullableString(reader, 2) is { } name ? EnumNames.Parse<TrialEnd>(name) : null;
            var n = reader.GetInt32(3);
            var done = reader.GetDouble(4);
            var c = counts.GetValueOrDefault(study) ?? StudyCounts.None;
            counts[study] = (status, end) switch
            {
                (TrialStatus.Pending, _) => c with { Pending = c.Pending + n },
                (TrialStatus.Running, _) => c with { Running = c.Running + n },
                (TrialStatus.Completed, TrialEnd.Diverged) => c with { Diverged = c.Diverged + n },
                (TrialStatus.Completed, TrialEnd.Stalled) => c with { Stalled = c.Stalled + n },
                (TrialStatus.Completed, _) => c with { Completed = c.Completed + n },
                (TrialStatus.Failed, _) => c with { Failed = c.Failed + n },
                _ => c with { Pruned = c.Pruned + n },
            } with { Trials = c.Trials + n, Done = c.Done + done };
        }
        return counts;
    }

    /// <summary>Each study's best final value of a metric among its trials that completed without diverging.</summary>
    public async Task<IReadOnlyDictionary<string, double>> BestFinalAsync(string metric, string? studyId = null, CancellationToken cancellation = default)
    {
        var column = MetricRegistry.Get(metric);
        var best = column.Better == Trials.Better.Smaller ? "MIN" : "MAX";
        await using var connection = await OpenAsync(cancellation);
        await using var command = Sql.Command(connection, null,
            $"""
            SELECT t.study_id, {best}(c.{column.Name})
            FROM {ReadModelSchema.Trials} t
            JOIN {ReadModelSchema.Checkpoints} c ON c.study_id = t.study_id AND c.trial_id = t.trial_id AND c.step = t.last_step
            WHERE t.status = 'completed' AND (t.end_kind IS NULL OR t.end_kind NOT IN ('diverged', 'stalled')) {(studyId is null ? "" : "AND t.study_id = @s")}
            GROUP BY t.study_id
            """,
            ("s", studyId));
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellation))
        {
            if (Sql.NullableDouble(reader, 1) is { } value)
            {
                values[reader.GetString(0)] = value;
            }
        }
        return values;
    }

    /// <summary>A study's trials in the order they were added, each with its latest checkpoint.</summary>
    public async Task<IReadOnlyList<TrialRow>> TrialsAsync(string studyId, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        await using var command = Sql.Command(connection, null,
            $"""
            SELECT t.trial_id, t.ordinal, t.spec_json, t.algorithm, t.lr, t.seed, t.steps, t.status, t.attempt, t.failures, t.node,
                   t.last_step, t.checkpoint_count, t.end_kind, t.first_fit_step, t.reason, t.config_json, {CheckpointSelect}
            FROM {ReadModelSchema.Trials} t
            LEFT JOIN {ReadModelSchema.Checkpoints} c ON c.study_id = t.study_id AND c.trial_id = t.trial_id AND c.step = t.last_step
            WHERE t.study_id = @s
            """,
            ("s", studyId));
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var trials = new List<TrialRow>();
        while (await reader.ReadAsync(cancellation))
        {
            trials.Add(ReadTrial(reader));
        }
        // Sorted here rather than by the database, which sorted the rows with their specs in a temporary B-tree.
        trials.Sort((a, b) => a.Ordinal.CompareTo(b.Ordinal));
        return trials;
    }

    /// <summary>A study's status: its row with its trials and their latest checkpoints.</summary>
    public async Task<StudyStatus> StatusAsync(StudyRow study, CancellationToken cancellation = default)
    {
        var trials = await TrialsAsync(study.StudyId, cancellation);
        return StudyStatus.Create(study.StudyId, study.Phase, study.Description, trials.Select(t => t.Summary()).ToList(), study.CreatedAt, study.FinishedAt);
    }

    /// <summary>
    /// Each trial's checkpoint at a step or at its first fit; trials without one (not that far yet, or never fit)
    /// are absent. The latest checkpoint comes with <see cref="TrialsAsync"/>.
    /// </summary>
    public async Task<Dictionary<string, Checkpoint>> CheckpointsAtAsync(string studyId, CheckpointAt at, CancellationToken cancellation = default)
    {
        var sql = at switch
        {
            CheckpointAt.AtStep => $"SELECT c.trial_id, {CheckpointSelect} FROM {ReadModelSchema.Checkpoints} c WHERE c.study_id = @s AND c.step = @step",
            CheckpointAt.FirstFit => $"""
                SELECT c.trial_id, {CheckpointSelect} FROM {ReadModelSchema.Checkpoints} c
                JOIN (SELECT trial_id, MIN(step) AS step FROM {ReadModelSchema.Checkpoints} WHERE study_id = @s AND train_accuracy >= 1 GROUP BY trial_id) f
                  ON f.trial_id = c.trial_id AND f.step = c.step
                WHERE c.study_id = @s
                """,
            CheckpointAt.AtLoss => $"""
                SELECT c.trial_id, {CheckpointSelect} FROM {ReadModelSchema.Checkpoints} c
                JOIN (SELECT trial_id, MIN(step) AS step FROM {ReadModelSchema.Checkpoints} WHERE study_id = @s AND loss <= @loss GROUP BY trial_id) f
                  ON f.trial_id = c.trial_id AND f.step = c.step
                WHERE c.study_id = @s
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(at), at, "the latest checkpoint comes with TrialsAsync"),
        };
        await using var connection = await OpenAsync(cancellation);
        await using var command = Sql.Command(connection, null, sql, ("s", studyId), ("step", at is CheckpointAt.AtStep s ? s.Value : 0L),
            ("loss", at is CheckpointAt.AtLoss l ? l.Value : 0.0));
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var checkpoints = new Dictionary<string, Checkpoint>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellation))
        {
            checkpoints[reader.GetString(0)] = ReadCheckpoint(reader, 1);
        }
        return checkpoints;
    }

    /// <summary>Every checkpoint of the chosen trials (all when null), by trial id, then by step: the primary key's order, so no sort.</summary>
    public async IAsyncEnumerable<(string TrialId, Checkpoint Checkpoint)> CheckpointsAsync(string studyId, IReadOnlySet<string>? trialIds, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        await using var command = Sql.Command(connection, null,
            $"""
            SELECT c.trial_id, {CheckpointSelect} FROM {ReadModelSchema.Checkpoints} c
            WHERE c.study_id = @s ORDER BY c.trial_id, c.step
            """,
            ("s", studyId));
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var trialId = reader.GetString(0);
            if (trialIds is null || trialIds.Contains(trialId))
            {
                yield return (trialId, ReadCheckpoint(reader, 1));
            }
        }
    }

    /// <summary>The last step below and the first step above <paramref name="step"/> at which any trial of the study has a checkpoint.</summary>
    public async Task<(long? Before, long? After)> NearestStepsAsync(string studyId, long step, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        var before = await Sql.ScalarAsync(connection, null, $"SELECT MAX(step) FROM {ReadModelSchema.Checkpoints} WHERE study_id = @s AND step < @step", cancellation, ("s", studyId), ("step", step));
        var after = await Sql.ScalarAsync(connection, null, $"SELECT MIN(step) FROM {ReadModelSchema.Checkpoints} WHERE study_id = @s AND step > @step", cancellation, ("s", studyId), ("step", step));
        return (Step(before), Step(after));

        static long? Step(object? value) => value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <summary>One trial's checkpoints in step order, read by the primary key.</summary>
    public async Task<IReadOnlyList<Checkpoint>> TrialCheckpointsAsync(string studyId, string trialId, CancellationToken cancellation = default)
    {
        await using var connection = await OpenAsync(cancellation);
        await using var command = Sql.Command(connection, null,
            $"SELECT c.trial_id, {CheckpointSelect} FROM {ReadModelSchema.Checkpoints} c WHERE c.study_id = @s AND c.trial_id = @t ORDER BY c.step",
            ("s", studyId), ("t", trialId));
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var checkpoints = new List<Checkpoint>();
        while (await reader.ReadAsync(cancellation))
        {
            checkpoints.Add(ReadCheckpoint(reader, 1));
        }
        return checkpoints;
    }

    /// <summary>One metric of every checkpoint of a study, with its trial and step, in primary-key order: what a curve needs, not the whole checkpoint.</summary>
    public async IAsyncEnumerable<(string TrialId, long Step, double? Value)> MetricAsync(string studyId, string metric, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var column = MetricRegistry.Get(metric).Name;
        await using var connection = await OpenAsync(cancellation);
        await using var command = Sql.Command(connection, null,
            $"SELECT c.trial_id, c.step, c.{column} FROM {ReadModelSchema.Checkpoints} c WHERE c.study_id = @s ORDER BY c.trial_id, c.step",
            ("s", studyId));
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            yield return (reader.GetString(0), reader.GetInt64(1), Sql.NullableDouble(reader, 2));
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellation)
    {
        // Reading creates nothing: the projection made the tables, and a read-only store must stay readable.
        return await StoreConnections.OpenAsync(store, cancellation);
    }

    private static TrialRow ReadTrial(DbDataReader reader) => new(
        reader.GetString(0), reader.GetInt32(1), reader.GetString(2), EnumNames.Parse<AlgorithmKind>(reader.GetString(3)), reader.GetDouble(4),
        reader.GetInt32(5), reader.GetInt32(6), EnumNames.Parse<TrialStatus>(reader.GetString(7)), reader.GetInt32(8), reader.GetInt32(9),
        Sql.NullableString(reader, 10), reader.GetInt64(11), reader.GetInt64(12),
        Sql.NullableString(reader, 13) is { } end ? EnumNames.Parse<TrialEnd>(end) : null,
        Sql.NullableLong(reader, 14), Sql.NullableString(reader, 15), Sql.NullableString(reader, 16),
        reader.IsDBNull(17) ? null : ReadCheckpoint(reader, 17));

    private static Checkpoint ReadCheckpoint(DbDataReader r, int first)
    {
        var values = new double?[MetricRegistry.All.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = MetricRegistry.All[i].IsInteger ? r.GetInt64(first + i) : Sql.NullableDouble(r, first + i);
        }
        return MetricRegistry.Create(values);
    }

    private static DateTimeOffset? Time(string? value) =>
        value is null ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
