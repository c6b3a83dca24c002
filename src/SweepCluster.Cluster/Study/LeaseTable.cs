using SweepCluster.Protocol;

using SweepCluster.Protocol.Study;

namespace SweepCluster.Cluster.Study;

/// <summary>
/// When each running attempt was last confirmed by a worker. Soft state, never journaled: a coordinator
/// that recovers gives every running attempt a fresh lease, so a worker that is still training it has a
/// full timeout to confirm it. An attempt whose lease runs out goes back to pending.
/// </summary>
public sealed class LeaseTable(TimeSpan timeout)
{
    private readonly Dictionary<string, (int Attempt, DateTimeOffset Renewed)> _leases = [];

    public TimeSpan Timeout => timeout;

    public void Renew(string trialId, int attempt, DateTimeOffset now) => _leases[trialId] = (attempt, now);

    /// <summary>The running attempts not confirmed within the timeout. An attempt seen for the first time starts its lease now.</summary>
    public IReadOnlyList<AttemptRef> Expired(IEnumerable<TrialRecord> running, DateTimeOffset now)
    {
        var expired = new List<AttemptRef>();
        var live = new HashSet<string>();
        foreach (var trial in running)
        {
            live.Add(trial.TrialId);
            if (!_leases.TryGetValue(trial.TrialId, out var lease) || lease.Attempt != trial.Attempt)
            {
                _leases[trial.TrialId] = (trial.Attempt, now);
            }
            else if (now - lease.Renewed > timeout)
            {
                expired.Add(new AttemptRef(trial.TrialId, trial.Attempt));
            }
        }
        foreach (var gone in _leases.Keys.Where(id => !live.Contains(id)).ToList())
        {
            _leases.Remove(gone);
        }
        return expired;
    }
}
