using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace SweepCluster.Cluster.Query;

/// <summary>The studies in the event journal, by their persistence ids (queries read the read model, not this).</summary>
public static class StudyJournal
{
    public const string PersistenceIdPrefix = "study-";

    /// <summary>The persistence ids of every study in the journal.</summary>
    public static Task<List<string>> StudyPersistenceIdsAsync(SqlReadJournal journal, IMaterializer materializer) =>
        journal.CurrentPersistenceIds()
            .Where(id => id.StartsWith(PersistenceIdPrefix, StringComparison.Ordinal))
            .RunAggregate(new List<string>(), (list, id) =>
            {
                list.Add(id);
                return list;
            }, materializer);
}
