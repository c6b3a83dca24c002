using System.Collections.Frozen;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using SweepCluster.Protocol;
using System.Runtime.Serialization;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Serialization;

/// <summary>
/// The protocol's own serializer: JSON (the same snake_case form as the rest of SweepCluster), with the
/// message's type name as manifest, so that events stay readable in the journal and survive refactoring
/// of namespaces. Messages, events and the coordinator's snapshot all go through it. State chunks are the
/// exception: raw bytes behind a short binary header (<see cref="StateChunkBinary"/>), not base64 in JSON.
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 417_001;

    private static readonly FrozenDictionary<string, Type> TypesByManifest = typeof(IProtocolMessage).Assembly.GetTypes()
        .Where(t => typeof(IProtocolMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .ToFrozenDictionary(t => t.Name);

    public override int Identifier => Id;

    public override string Manifest(object o) => o.GetType().Name;

    public override byte[] ToBinary(object obj) => obj switch
    {
        StateChunk c => StateChunkBinary.Write(c.StudyId, c.TrialId, c.Attempt, c.Step, c.Index, c.Count, c.Bytes),
        StoredStateChunk c => StateChunkBinary.Write(c.StudyId, c.TrialId, c.Attempt, c.Step, c.Index, c.Count, c.Bytes),
        _ => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), TrialJson.Options),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        nameof(StateChunk) => StateChunkBinary.Read(bytes, (s, t, a, step, i, n, b) => new StateChunk(s, t, a, step, i, n, b)),
        nameof(StoredStateChunk) => StateChunkBinary.Read(bytes, (s, t, a, step, i, n, b) => new StoredStateChunk(s, t, a, step, i, n, b)),
        _ => TypesByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, TrialJson.Options) ?? throw new SerializationException($"null payload for {manifest}")
            : throw new SerializationException($"unknown manifest '{manifest}'"),
    };

    /// <summary>The configuration that binds this serializer to the protocol, for an actor system built without Akka.Hosting.</summary>
    public static Akka.Configuration.Config Binding => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        akka.actor.serializers.sweepcluster = "{{typeof(ProtocolSerializer).AssemblyQualifiedName}}"
        akka.actor.serialization-bindings { "{{typeof(IProtocolMessage).AssemblyQualifiedName}}" = sweepcluster }
        """);
}
