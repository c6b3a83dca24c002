using System.Runtime.Serialization;
using System.Text;

namespace SweepCluster.Cluster.Serialization;

/// <summary>The wire form of a state chunk: study, trial, attempt, step, index and count, then the raw bytes.</summary>
internal static class StateChunkBinary
{
    public delegate T Create<out T>(string studyId, string trialId, int attempt, long step, int index, int count, byte[] bytes);

    public static byte[] Write(string studyId, string trialId, int attempt, long step, int index, int count, byte[] bytes)
    {
        using var buffer = new MemoryStream(bytes.Length + 128);
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(studyId);
            writer.Write(trialId);
            writer.Write(attempt);
            writer.Write(step);
            writer.Write(index);
            writer.Write(count);
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
        return buffer.ToArray();
    }

    public static T Read<T>(byte[] payload, Create<T> create)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
            var (studyId, trialId, attempt, step, index, count) = (reader.ReadString(), reader.ReadString(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32());
            var length = reader.ReadInt32();
            var bytes = reader.ReadBytes(length);
            if (bytes.Length != length)
            {
                throw new SerializationException($"a state chunk announced {length} bytes and carried {bytes.Length}");
            }
            return create(studyId, trialId, attempt, step, index, count, bytes);
        }
        catch (EndOfStreamException e)
        {
            throw new SerializationException("a state chunk ended early", e);
        }
    }
}
