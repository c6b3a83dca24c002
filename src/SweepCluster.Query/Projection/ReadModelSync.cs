using System.Data.Common;
using System.Globalization;
using SweepCluster.Cluster.Storage;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Query.Projection;

/// <summary>What a query does before it reads: make sure the read model has every event the journal holds.</summary>
public static class ReadModelSync
{
    /// <summary>
    /// Catches the read model up when it is behind the journal (no live node was projecting, say after a
    /// crash); when it is current, which is the usual case, this costs two small queries and no actor system.
    /// </summary>
    public static async Task EnsureCurrentAsync(StoreOptions store, CancellationToken cancellation = default)
    {
        var writer = new ReadModelWriter(store);
        var stored = await writer.StoredOffsetAsync(cancellation);
        if (await JournalHeadAsync(store, cancellation) <= stored)
        {
            return;
        }
        await using var system = await QuerySystem.StartAsync(store, cancellation);
        await StudyProjection.CatchUpAsync(system.System, writer, cancellation);
    }

    /// <summary>Empties the read model and projects the whole journal again.</summary>
    public static async Task<long> RebuildAsync(StoreOptions store, CancellationToken cancellation = default)
    {
        await using (var connection = await StoreConnections.OpenAsync(store, cancellation))
        {
            await ReadModelSchema.DropAsync(connection, cancellation);
        }
        await using var system = await QuerySystem.StartAsync(store, cancellation);
        return await StudyProjection.CatchUpAsync(system.System, new ReadModelWriter(store), cancellation);
    }

    /// <summary>
    /// How many journal events the query tables have not seen yet, reading only; null when there are no
    /// query tables (no projection ever ran).
    /// </summary>
    public static async Task<long?> EventsBehindAsync(StoreOptions store, CancellationToken cancellation = default)
    {
        long stored;
        await using (var connection = await StoreConnections.OpenAsync(store, cancellation))
        {
            try
            {
                var value = await Sql.ScalarAsync(connection, null, $"SELECT MAX(last_offset) FROM {ReadModelSchema.Offsets}", cancellation);
                stored = value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
            }
            catch (DbException)
            {
                return null;
            }
        }
        return Math.Max(0, await JournalHeadAsync(store, cancellation) - stored);
    }

    /// <summary>The ordering of the newest tagged event in the journal (0 when there is none, or no journal yet).</summary>
    private static async Task<long> JournalHeadAsync(StoreOptions store, CancellationToken cancellation)
    {
        await using var connection = await StoreConnections.OpenAsync(store, cancellation);
        try
        {
            var value = await Sql.ScalarAsync(connection, null, "SELECT MAX(ordering_id) FROM tags WHERE tag = @t", cancellation, ("t", Cluster.Storage.StudyEventTagger.Tag));
            return value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }
        catch (DbException)
        {
            return 0;
        }
    }
}
