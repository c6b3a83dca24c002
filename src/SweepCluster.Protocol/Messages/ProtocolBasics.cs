namespace SweepCluster.Protocol;

/// <summary>Every message of the protocol: serialized by <see cref="Serialization.ProtocolSerializer"/>, never by Newtonsoft.</summary>
public interface IProtocolMessage;

/// <summary>A message for one study's coordinator; Cluster.Sharding routes it by <see cref="StudyId"/>.</summary>
public interface IStudyMessage : IProtocolMessage
{
    string StudyId { get; }
}

/// <summary>A trial as the cluster carries it: its stable id and its spec as JSON (the engine's own form).</summary>
public sealed record TrialDefinition(string TrialId, string SpecJson)
{
    /// <summary>About what it adds to a message: its two strings.</summary>
    public int Size => TrialId.Length + SpecJson.Length + 16;
}

/// <summary>
/// Splits lists of trials into pages whose size stays far below the transport's frame (see
/// <c>maximum-frame-size</c> in the node's configuration), however large the study.
/// </summary>
public static class TrialPages
{
    /// <summary>The most bytes of trials in one message.</summary>
    public const int MaxBytes = 48 * 1024;

    public static IEnumerable<List<T>> Split<T>(IEnumerable<T> items, Func<T, int> size, int maxBytes = MaxBytes)
    {
        var page = new List<T>();
        var bytes = 0;
        foreach (var item in items)
        {
            var itemSize = size(item);
            if (page.Count > 0 && bytes + itemSize > maxBytes)
            {
                yield return page;
                page = [];
                bytes = 0;
            }
            page.Add(item);
            bytes += itemSize;
        }
        if (page.Count > 0)
        {
            yield return page;
        }
    }
}
