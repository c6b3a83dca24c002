namespace SweepCluster.Cluster.Protocol;

/// <summary>Every message of the protocol: serialized by <see cref="Serialization.ProtocolSerializer"/>, never by Newtonsoft.</summary>
public interface IProtocolMessage;

/// <summary>A message for one study's coordinator; Cluster.Sharding routes it by <see cref="StudyId"/>.</summary>
public interface IStudyMessage : IProtocolMessage
{
    string StudyId { get; }
}

/// <summary>A trial as the cluster carries it: its stable id and its spec as JSON (the engine's own form).</summary>
public sealed record TrialDefinition(string TrialId, string SpecJson);
