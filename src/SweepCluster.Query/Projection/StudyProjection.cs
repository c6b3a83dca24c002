using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Query;
using SweepCluster.Cluster.Storage;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Query.Projection;

/// <summary>
/// Follows the study events (events by tag, in journal order) into the read model, from the offset the
/// read model stores. Live on every coordinator node; caught up once by a query that finds it behind.
/// </summary>
public static class StudyProjection
{
    private const int BatchSize = 2000;

    /// <summary>Applies every event written so far and returns the read model's offset.</summary>
    public static async Task<long> CatchUpAsync(ActorSystem system, ReadModelWriter writer, CancellationToken cancellation = default)
    {
        var expected = await writer.StoredOffsetAsync(cancellation);
        await Journal(system).CurrentEventsByTag(StudyEventTagger.Tag, Offset.Sequence(expected))
            .Select(Project)
            .Grouped(BatchSize)
            .SelectAsync(1, async batch => expected = await writer.ApplyAsync(batch.ToList(), expected, cancellation))
            .RunWith(Sink.Ignore<long>(), system.Materializer());
        return expected;
    }

    /// <summary>
    /// Keeps the read model up to date while the node runs. A failed write (the database restarting, or
    /// the read model rebuilt underneath) restarts the stream with backoff from the stored offset.
    /// </summary>
    public static UniqueKillSwitch RunLive(ActorSystem system, ReadModelWriter writer)
    {
        var journal = Journal(system);
        var restart = RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2);
        return RestartSource.OnFailuresWithBackoff(() =>
                Source.FromTask(writer.StoredOffsetAsync()).ConcatMany(start =>
                {
                    var expected = start;
                    return journal.EventsByTag(StudyEventTagger.Tag, Offset.Sequence(start))
                        .Select(Project)
                        .GroupedWithin(BatchSize, TimeSpan.FromMilliseconds(200))
                        .SelectAsync(1, async batch => expected = await writer.ApplyAsync(batch.ToList(), expected));
                }),
                restart)
            .ViaMaterialized(KillSwitches.Single<long>(), Keep.Right)
            .ToMaterialized(Sink.Ignore<long>(), Keep.Left)
            .Run(system.Materializer());
    }

    private static SqlReadJournal Journal(ActorSystem system) =>
        PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    private static ProjectedEvent Project(EventEnvelope envelope) =>
        new(((Sequence)envelope.Offset).Value, envelope.PersistenceId[StudyJournal.PersistenceIdPrefix.Length..], (IStudyEvent)envelope.Event);
}
