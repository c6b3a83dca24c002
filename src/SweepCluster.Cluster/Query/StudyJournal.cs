using System.Data.Common;
using SweepCluster.Cluster.Storage;
using SweepCluster.Protocol;

namespace SweepCluster.Cluster.Query;

/// <summary>The studies in the event journal (queries read the read model, not this).</summary>
public static class StudyJournal
{
    public const string PersistenceIdPrefix = "study-";

    /// <summary>
    /// The ids of studies whose last event is not StudyFinished (under its manifest or the name older journals have): read from the journal table in one query,
    /// so that finding them recovers no study (a coordinator node's start would otherwise recover every
    /// study ever run). A study's last event is StudyFinished exactly while it is finished: anything after
    /// it (new trials) starts with StudyResumed.
    /// </summary>
    public static async Task<List<string>> UnfinishedStudyIdsAsync(StoreOptions store, CancellationToken cancellation = default)
    {
        await using var connection = await StoreConnections.OpenAsync(store, cancellation);
        await using var command = connection.CreateCommand();
        command.CommandText = $$"""
            SELECT j.persistence_id FROM journal j
            JOIN (SELECT persistence_id, MAX(sequence_number) AS last_sequence FROM journal WHERE persistence_id LIKE '{{PersistenceIdPrefix}}%' GROUP BY persistence_id) l
              ON j.persistence_id = l.persistence_id AND j.sequence_number = l.last_sequence
            WHERE j.manifest IS NULL OR j.manifest NOT IN ('{{ProtocolManifests.Of(typeof(StudyFinished))}}', 'StudyFinished')
            """;
        var ids = new List<string>();
        if (!await JournalExistsAsync(connection, cancellation))
        {
            // A new store: the journal's table is created by the first write.
            return ids;
        }
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            ids.Add(reader.GetString(0)[PersistenceIdPrefix.Length..]);
        }
        return ids;
    }

    private static async Task<bool> JournalExistsAsync(DbConnection connection, CancellationToken cancellation)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = connection is Microsoft.Data.Sqlite.SqliteConnection
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'journal'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellation), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}
