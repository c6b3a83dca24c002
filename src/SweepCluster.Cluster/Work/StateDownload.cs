using SweepCluster.Protocol;

namespace SweepCluster.Cluster.Work;

/// <summary>
/// The state an attempt resumes from, fetched from the coordinator chunk by chunk: chunk 0 first (it tells
/// how many there are), then at most <see cref="StateChunks.Window"/> requests in flight, each asked again
/// if unanswered. Pure bookkeeping: the trial actor sends what it returns.
/// </summary>
internal sealed class StateDownload(AssignTrial trial, long step)
{
    private readonly Dictionary<int, byte[]> _chunks = [];
    private readonly Dictionary<int, DateTime> _asked = [];
    private int? _count;
    private int _next;

    public long Step => step;

    public bool IsComplete => _count is { } count && _chunks.Count == count;

    public IEnumerable<FetchStateChunk> Due(DateTime now, TimeSpan askAgainAfter)
    {
        foreach (var (index, askedAt) in _asked.Where(a => now - a.Value >= askAgainAfter).ToList())
        {
            _asked[index] = now;
            yield return Fetch(index);
        }
        var limit = _count ?? 1;
        while (_asked.Count < StateChunks.Window && _next < limit)
        {
            if (!_chunks.ContainsKey(_next))
            {
                _asked[_next] = now;
                yield return Fetch(_next);
            }
            _next++;
        }
    }

    public void Received(StoredStateChunk chunk)
    {
        if (chunk.Step != step || !_asked.Remove(chunk.Index))
        {
            return;
        }
        _count ??= chunk.Count;
        _chunks[chunk.Index] = chunk.Bytes;
    }

    public byte[] Assemble()
    {
        var state = new byte[_chunks.Values.Sum(c => (long)c.Length)];
        var offset = 0;
        for (var i = 0; i < _chunks.Count; i++)
        {
            _chunks[i].CopyTo(state, offset);
            offset += _chunks[i].Length;
        }
        return state;
    }

    private FetchStateChunk Fetch(int index) => new(trial.StudyId, trial.TrialId, trial.Attempt, step, index);
}
