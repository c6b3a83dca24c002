using System.Data.Common;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Query.ReadModel;

/// <summary>
/// Creates the query tables once per reader or writer rather than on every connection: a live projection
/// writes a batch every 200 ms, and each check is eight statements. A writer forgets it after a database
/// error, because a rebuild may have dropped the tables under it.
/// </summary>
internal sealed class SchemaCheck(StoreKind kind)
{
    private bool _done;

    public async Task EnsureAsync(DbConnection connection, CancellationToken cancellation)
    {
        if (!_done)
        {
            await ReadModelSchema.EnsureAsync(connection, kind, cancellation);
            _done = true;
        }
    }

    public void Forget() => _done = false;
}
