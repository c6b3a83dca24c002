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
    private readonly Dictionary<string, (int Attempt, DateTimeOffset Renewed, bool Training)> _leases = [];

    public TimeSpan Timeout => timeout;

    /// <param name="training">The worker trains it (a slot runs it) rather than holding it in its queue.</param>
    public void Renew(string trialId, int attempt, DateTimeOffset now, bool training = false) => _leases[trialId] = (attempt, now, training);

    /// <summary>Whether the last renewal of this attempt said a slot trains it.</summary>
    public bool IsTraining(string trialId, int attempt) => _leases.TryGetValue(trialId, out var lease) && lease.Attempt == attempt && lease.Training;

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
                _leases[trial.TrialId] = (trial.Attempt, now, false);
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
