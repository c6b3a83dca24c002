namespace SweepCluster.Protocol;

// Training states grow with the model (7.4 MB for the paper's 784-784-1 network with Adam, hundreds of MB
// for wider ones), so none travels as one message: a state moves as numbered chunks of at most
// StateChunks.Size bytes, each acknowledged, a few in flight at a time, and the chunks are stored as rows
// of their own. The transport's frame stays small and heartbeats on the same connection wait behind a few
// chunks at most. Chunk messages are serialized as binary, not JSON.

/// <summary>The sizes of a state transfer.</summary>
public static class StateChunks
{
    /// <summary>Bytes of state per chunk message.</summary>
    public const int Size = 64 * 1024;

    /// <summary>Chunks sent (or asked for) before the first of them is acknowledged.</summary>
    public const int Window = 4;

    public static int Count(long length) => (int)Math.Max(1, (length + Size - 1) / Size);
}

/// <summary>Worker -> coordinator: chunk <see cref="Index"/> of <see cref="Count"/> of the state at <see cref="Step"/>.</summary>
public sealed record StateChunk(string StudyId, string TrialId, int Attempt, long Step, int Index, int Count, byte[] Bytes) : IStudyMessage;

/// <summary>The chunk is stored.</summary>
public sealed record StateChunkAck(string StudyId, string TrialId, int Attempt, long Step, int Index) : IProtocolMessage;

/// <summary>
/// Worker -> coordinator, once every chunk is acknowledged: record the state as the trial's latest.
/// <see cref="CheckpointedThrough"/> is the step of the last checkpoint produced before it (-1: none): the
/// coordinator records the state only once that checkpoint is stored, because a run resumed from the state
/// never produces it again. Answered with <see cref="StateAck"/>.
/// </summary>
public sealed record StateComplete(string StudyId, string TrialId, int Attempt, long Step, long CheckpointedThrough, int Count, long Length) : IStudyMessage;

public sealed record StateAck(string StudyId, string TrialId, int Attempt, long Step) : IProtocolMessage;

/// <summary>Worker -> coordinator: send chunk <see cref="Index"/> of the state at <see cref="Step"/> that this attempt resumes from.</summary>
public sealed record FetchStateChunk(string StudyId, string TrialId, int Attempt, long Step, int Index) : IStudyMessage;

/// <summary>Coordinator -> worker: chunk <see cref="Index"/> of <see cref="Count"/> of a stored state.</summary>
public sealed record StoredStateChunk(string StudyId, string TrialId, int Attempt, long Step, int Index, int Count, byte[] Bytes) : IProtocolMessage;

/// <summary>
/// Coordinator -> worker: the state cannot be sent. <see cref="Missing"/>: it is not stored (the attempt
/// then starts from step 0, which gives the same checkpoints); otherwise the store failed and the worker
/// may ask again.
/// </summary>
public sealed record StateUnavailable(string StudyId, string TrialId, int Attempt, long Step, bool Missing, string Reason) : IProtocolMessage;
