using SweepCluster.Cluster.Query;
using SweepCluster.Cluster.Storage;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Query.Maintenance;

/// <summary>What deleting a study removed, by kind of row.</summary>
public sealed record DeletedStudy(long JournalEvents, long Trials, long Checkpoints, long StateChunks);

/// <summary>
/// Removes a study from a store: its journal (events, tags, snapshots), its training states and its query
/// rows, in one transaction, so a failure leaves the study whole. The caller holds the store alone (no node
/// or run may be writing it); the projection's offset stays, since the events it already passed are gone
/// and the others are untouched.
/// </summary>
public static class StudyDeletion
{
    // Table and column: the journal side is keyed by persistence id, the rest by study id.
    private static readonly (string Table, string Column, bool ByPersistenceId)[] Rows =
    [
        (ReadModelSchema.Checkpoints, "study_id", false),
        (ReadModelSchema.Trials, "study_id", false),
        (ReadModelSchema.Studies, "study_id", false),
        (TrainingStateStore.Table, "study_id", false),
        ("tags", "persistence_id", true),
        ("snapshot", "persistence_id", true),
        (StoreInspection.JournalTable, "persistence_id", true),
    ];

    public static async Task<DeletedStudy> DeleteAsync(StoreOptions store, string studyId, CancellationToken cancellation = default)
    {
        await using var connection = await StoreConnections.OpenAsync(store, cancellation);
        var tables = await StoreInspection.TablesAsync(connection, store.Kind, cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var deleted = new Dictionary<string, long>();
        foreach (var (table, column, byPersistenceId) in Rows.Where(r => tables.Contains(r.Table)))
        {
            var key = byPersistenceId ? StudyJournal.PersistenceIdPrefix + studyId : studyId;
            deleted[table] = await Sql.ExecuteAsync(connection, transaction, $"DELETE FROM {table} WHERE {column} = @key", cancellation, ("key", key));
        }
        await transaction.CommitAsync(cancellation);
        return new DeletedStudy(
            deleted.GetValueOrDefault(StoreInspection.JournalTable),
            deleted.GetValueOrDefault(ReadModelSchema.Trials),
            deleted.GetValueOrDefault(ReadModelSchema.Checkpoints),
            deleted.GetValueOrDefault(TrainingStateStore.Table));
    }
}
