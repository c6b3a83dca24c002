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
        return await ReadyAsync(store, cancellation) is { } readable
            ? new ReadModelReader(readable)
            : throw new QueryException($"{store.Display}: no studies in this store, so no study '{studyId}'");
    }

    /// <summary>
    /// The store to read, with its query tables as current as the store allows; null when it holds no journal
    /// yet (a missing file, an empty database). Writes nothing to a database that is not ours (refused) and
    /// nothing to one it cannot write (read as a snapshot of its query tables, with a warning).
    /// </summary>
    public static async Task<StoreOptions?> ReadyAsync(StoreOptions store, CancellationToken cancellation)
    {
        StoreContents contents;
        try
        {
            contents = await StoreInspection.InspectAsync(store, cancellation);
        }
        catch (StoreUnavailableException e) when (store.Kind == StoreKind.Sqlite && StoreProblems.IsUnwritable(e))
        {
            return await ReadOnlyAsync(store.ReadOnlySnapshot(), store, e, cancellation);
        }
        switch (contents)
        {
            case StoreContents.Missing or StoreContents.Empty:
                return null;
            case StoreContents.Foreign:
                throw StoreInspection.NotOurs(store);
        }
        try
        {
            await ReadModelSync.EnsureCurrentAsync(store, cancellation);
            return store;
        }
        catch (Exception e) when (StoreProblems.IsStoreFailure(e) && StoreProblems.IsUnwritable(e))
        {
            return await ReadOnlyAsync(store, store, e, cancellation);
        }
        catch (Exception e) when (StoreProblems.IsStoreFailure(e))
        {
            throw StoreProblems.Unavailable(store, e);
        }
    }

    private static async Task<StoreOptions?> ReadOnlyAsync(StoreOptions readable, StoreOptions store, Exception why, CancellationToken cancellation)
    {
        var contents = await StoreInspection.InspectAsync(readable, cancellation);
        if (contents == StoreContents.Foreign)
        {
            throw StoreInspection.NotOurs(store);
        }
        if (contents != StoreContents.SweepCluster)
        {
            return null;
        }
        switch (await ReadModelSync.EventsBehindAsync(readable, cancellation))
        {
            case null:
                throw new StoreUnavailableException(
                    $"cannot use the store {store.Display}: it cannot be written and its query tables were never built; run `sweepcluster project` once with write access", why);
            case > 0 and var behind:
                CliErrors.Warning($"{store.Display} cannot be written here, and its query tables miss the newest {behind} events: showing them as the last projection left them");
                break;
        }
        return readable;
    }

    /// <summary>Comma-separated values, from one or several occurrences of an option.</summary>
    public static List<string> List(IEnumerable<string>? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
}
