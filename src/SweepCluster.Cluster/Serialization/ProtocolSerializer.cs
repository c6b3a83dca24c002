using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using SweepCluster.Protocol;
using System.Runtime.Serialization;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Serialization;

/// <summary>
/// The protocol's own serializer: JSON (<see cref="ProtocolJson"/>) under the explicit, stable manifests of
/// <see cref="ProtocolManifests"/>, so that events stay readable in the journal and survive renaming of
/// types. Messages, events and the coordinator's snapshot all go through it. State chunks are the
/// exception: raw bytes behind a short binary header (<see cref="StateChunkBinary"/>), not base64 in JSON.
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 417_001;

    public override int Identifier => Id;

    public override string Manifest(object o) => ProtocolManifests.Of(o.GetType());

    public override byte[] ToBinary(object obj) => obj switch
    {
        StateChunk c => StateChunkBinary.Write(c.StudyId, c.TrialId, c.Attempt, c.Step, c.Index, c.Count, c.Bytes),
        StoredStateChunk c => StateChunkBinary.Write(c.StudyId, c.TrialId, c.Attempt, c.Step, c.Index, c.Count, c.Bytes),
        _ => ProtocolJson.ToBytes(obj),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!ProtocolManifests.TryGetType(manifest, out var type))
        {
            throw new SerializationException($"unknown manifest '{manifest}'");
        }
        if (type == typeof(StateChunk))
        {
            return StateChunkBinary.Read(bytes, (s, t, a, step, i, n, b) => new StateChunk(s, t, a, step, i, n, b));
        }
        if (type == typeof(StoredStateChunk))
        {
            return StateChunkBinary.Read(bytes, (s, t, a, step, i, n, b) => new StoredStateChunk(s, t, a, step, i, n, b));
        }
        try
        {
            return ProtocolJson.FromBytes(bytes, manifest);
        }
        catch (JsonException e)
        {
            throw new SerializationException($"cannot read a {manifest}: {e.Message}", e);
        }
    }

    /// <summary>The configuration that binds this serializer to the protocol, for an actor system built without Akka.Hosting.</summary>
    public static Akka.Configuration.Config Binding => Akka.Configuration.ConfigurationFactory.ParseString($$"""
        akka.actor.serializers.sweepcluster = "{{typeof(ProtocolSerializer).AssemblyQualifiedName}}"
        akka.actor.serialization-bindings { "{{typeof(IProtocolMessage).AssemblyQualifiedName}}" = sweepcluster }
        """);
}
