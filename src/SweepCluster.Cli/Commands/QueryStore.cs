using SweepCluster.Cluster.Storage;
using SweepCluster.Query;
using SweepCluster.Query.Projection;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Cli.Commands;

/// <summary>The read model of a store, brought up to date with its journal, for the query commands.</summary>
internal static class QueryStore
{
    public static async Task<ReadModelReader> OpenAsync(StoreSettings settings, string studyId, CancellationToken cancellation)
    {
        var store = settings.ResolveStore();
        if (!store.MayHoldStudies)
        {
            throw new QueryException($"{store.Display}: no store here, so no study '{studyId}'");
        }
        await ReadModelSync.EnsureCurrentAsync(store, cancellation);
        return new ReadModelReader(store);
    }

    /// <summary>Comma-separated values, from one or several occurrences of an option.</summary>
    public static List<string> List(IEnumerable<string>? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
}
