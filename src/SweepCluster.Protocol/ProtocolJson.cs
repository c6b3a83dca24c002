using System.Text.Json;
using SweepCluster.Trials;

namespace SweepCluster.Protocol;

/// <summary>The protocol's JSON form (snake_case, as everywhere in SweepCluster), keyed by <see cref="ProtocolManifests"/>.</summary>
public static class ProtocolJson
{
    public static byte[] ToBytes(object message) => JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), TrialJson.Options);

    public static object FromBytes(ReadOnlySpan<byte> bytes, string manifest) =>
        ProtocolManifests.TryGetType(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, TrialJson.Options) ?? throw new JsonException($"null payload for {manifest}")
            : throw new JsonException($"unknown manifest '{manifest}'");
}
