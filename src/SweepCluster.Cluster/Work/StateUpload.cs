using SweepCluster.Protocol;

namespace SweepCluster.Cluster.Work;

/// <summary>
/// One training state on its way to the coordinator, in chunks: at most <see cref="StateChunks.Window"/>
/// unacknowledged at a time, each re-sent until acknowledged, then the <see cref="StateComplete"/> that
/// records it. Pure bookkeeping: the trial actor sends what it returns.
/// </summary>
internal sealed class StateUpload(AssignTrial trial, long step, long checkpointedThrough, byte[] state)
{
    private readonly int _count = StateChunks.Count(state.Length);
    private readonly Dictionary<int, DateTime> _inFlight = [];
    private int _next;
    private DateTime? _completeSentAt;

    public long Step => step;

    /// <summary>Every chunk acknowledged: what remains is the <see cref="StateComplete"/>.</summary>
    public bool ChunksStored => _next >= _count && _inFlight.Count == 0;

    public StateComplete Complete => new(trial.StudyId, trial.TrialId, trial.Attempt, step, checkpointedThrough, _count, state.Length);

    /// <summary>The messages to send now: new chunks up to the window, the ones due for a re-send, or the completion.</summary>
    public IEnumerable<IStudyMessage> Due(DateTime now, TimeSpan resendAfter)
    {
        foreach (var (index, sentAt) in _inFlight.Where(f => now - f.Value >= resendAfter).ToList())
        {
            _inFlight[index] = now;
            yield return Chunk(index);
        }
        while (_inFlight.Count < StateChunks.Window && _next < _count)
        {
            _inFlight[_next] = now;
            yield return Chunk(_next++);
        }
        if (ChunksStored && (_completeSentAt is null || now - _completeSentAt >= resendAfter))
        {
            _completeSentAt = now;
            yield return Complete;
        }
    }

    public void Acknowledged(int index) => _inFlight.Remove(index);

    /// <summary>The coordinator found chunks missing: send them all again.</summary>
    public void Restart()
    {
        _inFlight.Clear();
        _next = 0;
        _completeSentAt = null;
    }

    private StateChunk Chunk(int index)
    {
        var offset = index * StateChunks.Size;
        var length = Math.Min(StateChunks.Size, state.Length - offset);
        return new StateChunk(trial.StudyId, trial.TrialId, trial.Attempt, step, index, _count, state.AsSpan(offset, length).ToArray());
    }
}
