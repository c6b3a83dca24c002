using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Hosting;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SweepCluster.Cluster.Protocol;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;

namespace SweepCluster.Cluster.Query;

/// <summary>
/// Reads studies straight from the event journal (Akka.Persistence.Query), folding each study's events
/// with the coordinator's own <see cref="StudyState.Apply"/>. Needs no running cluster.
/// </summary>
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

    public static async Task<IReadOnlyList<StudyState>> ReadAsync(StoreOptions store, string? studyId, CancellationToken cancellation = default)
    {
        StoreConnections.Prepare(store);
        using var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka("sweepcluster-query", builder => builder
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLogger<SerilogLogger>();
                })
                .WithCustomSerializer("sweepcluster", [typeof(IProtocolMessage)], system => new ProtocolSerializer(system))
                .WithSqlPersistence(store.ConnectionString, store.Linq2DbProvider, autoInitialize: true)))
            .Build();
        await host.StartAsync(cancellation);
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var materializer = system.Materializer();
            var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
            var ids = studyId is not null
                ? [PersistenceIdPrefix + studyId]
                : await StudyPersistenceIdsAsync(journal, materializer);
            var studies = new List<StudyState>();
            foreach (var id in ids.Order(StringComparer.Ordinal))
            {
                var state = await journal.CurrentEventsByPersistenceId(id, 0, long.MaxValue)
                    .RunAggregate(StudyState.Empty(id[PersistenceIdPrefix.Length..]), (s, envelope) => s.Apply((IStudyEvent)envelope.Event), materializer);
                if (state.Exists)
                {
                    studies.Add(state);
                }
            }
            return studies;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
