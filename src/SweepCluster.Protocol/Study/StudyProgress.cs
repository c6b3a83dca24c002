using SweepCluster.Protocol.Metrics;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Study;

/// <summary>
/// One algorithm's trials at a glance: how they ended, and for each summarized metric of the registry
/// (<see cref="MetricRegistry.Summarized"/>, keyed by name) the mean final value of those that completed
/// and the best current value of any.
/// </summary>
public sealed record AlgorithmProgress(
    AlgorithmKind Algorithm, int Trials, int Completed, int Diverged, int Failed, int Unfinished,
    IReadOnlyDictionary<string, double?> Means, double? MeanFirstFitStep, IReadOnlyDictionary<string, double?> Best, int Pruned = 0, int Stalled = 0);

/// <summary>A trial that failed for good, with its reason: the follower logs them.</summary>
public sealed record FailedTrial(string TrialId, AlgorithmKind Algorithm, int Seed, int Attempts, string? Reason);

/// <summary>
/// What a follower polls: counts, a summary per algorithm and at most <see cref="MaxFailures"/> failures.
/// Its size does not grow with the study, so it crosses the network as one small message.
/// <see cref="Running"/> counts every trial a worker holds; <see cref="Queued"/> of them wait in a worker's
/// queue rather than train in a slot. <see cref="EtaSeconds"/> is the time the unfinished trials need at
/// the training speed measured so far, shared among the slots training now.
/// </summary>
public sealed record StudyProgress(
    string StudyId, StudyPhase Phase, string? Description, int Total, int Pending, int Running, int Completed, int Diverged, int Failed,
    double Fraction, int Workers, IReadOnlyList<AlgorithmProgress> Algorithms, IReadOnlyList<FailedTrial> Failures,
    DateTimeOffset? CreatedAt, DateTimeOffset? FinishedAt, int Pruned = 0, int Stalled = 0, int Queued = 0, double? EtaSeconds = null) : IProtocolMessage
{
    /// <summary>Trials a slot is training now.</summary>
    public int Training => Running - Queued;

    public const int MaxFailures = 20;

    /// <summary>No trial is running and none will be started: the study finished or was interrupted and has gone quiet.</summary>
    public bool IsSettled => Running == 0 && (Phase == StudyPhase.Finished || Phase == StudyPhase.Interrupted);

    /// <param name="workers">Worker nodes the coordinator sees Up.</param>
    /// <param name="training">Whether a running trial's worker trains it in a slot (by default every running trial is taken as training).</param>
    public static StudyProgress From(StudyState state, int workers, Func<TrialRecord, bool>? training = null)
    {
        var trials = state.Trials.Values;
        var algorithms = trials.GroupBy(t => t.Algorithm).OrderBy(g => g.Key).Select(g =>
        {
            var done = g.Where(t => t.Status == TrialStatus.Completed && t.End.IsResult()).ToList();
            return new AlgorithmProgress(
                g.Key, g.Count(), done.Count, g.Count(t => t.Status == TrialStatus.Completed && t.End == TrialEnd.Diverged),
                g.Count(t => t.Status == TrialStatus.Failed), g.Count(t => !t.IsTerminal),
                MetricRegistry.Summarized.ToDictionary(m => m.Name, m => Mean(done.Select(t => t.Latest is { } c ? m.Finite(c) : null))),
                Mean(done.Select(t => (double?)t.FirstFitStep)),
                MetricRegistry.Summarized.ToDictionary(m => m.Name, m => m.Best(g.Select(t => (t.End, t.Latest)))),
                g.Count(t => t.Status == TrialStatus.Pruned),
                g.Count(t => t.Status == TrialStatus.Completed && t.End == TrialEnd.Stalled));
        }).ToList();
        var failures = trials.Where(t => t.Status == TrialStatus.Failed).OrderBy(t => t.Ordinal).Take(MaxFailures)
            .Select(t => new FailedTrial(t.TrialId, t.Algorithm, t.Seed, t.Attempt, Truncate(t.Reason))).ToList();
        var fraction = state.Trials.Count == 0 ? 1 : trials.Sum(t => t.IsTerminal ? 1.0 : Math.Clamp((t.LastStep + 1.0) / (t.Steps + 1.0), 0, 1)) / state.Trials.Count;
        var running = trials.Where(t => t.Status == TrialStatus.Running).ToList();
        var trainingNow = training is null ? running.Count : running.Count(training);
        return new StudyProgress(
            state.StudyId, state.Phase, state.Description, state.Trials.Count,
            state.Pending.Count, running.Count,
            algorithms.Sum(a => a.Completed), algorithms.Sum(a => a.Diverged), algorithms.Sum(a => a.Failed),
            fraction, workers, algorithms, failures, state.CreatedAt, state.FinishedAt, algorithms.Sum(a => a.Pruned), algorithms.Sum(a => a.Stalled),
            running.Count - trainingNow, Eta(trials, trainingNow));
    }

    /// <summary>
    /// The steps the unfinished trials have left, at each algorithm's measured time per step (from every
    /// trial's latest checkpoint, which carries its training time so far), over the slots training now.
    /// None before a step has been timed or while nothing trains. Trials that stop early (a loss threshold,
    /// a scheduler) make it an upper bound.
    /// </summary>
    public static double? Eta(IEnumerable<TrialRecord> trials, int trainingNow)
    {
        var all = trials.ToList();
        var timed = all.Where(t => t.Latest is { WallMs: > 0, Step: > 0 }).Select(t => (t.Algorithm, MsPerStep: t.Latest!.WallMs / t.Latest.Step)).ToList();
        var unfinished = all.Where(t => !t.IsTerminal).ToList();
        if (unfinished.Count == 0)
        {
            return 0;
        }
        if (timed.Count == 0 || trainingNow == 0)
        {
            return null;
        }
        var overall = timed.Average(t => t.MsPerStep);
        var byAlgorithm = timed.GroupBy(t => t.Algorithm).ToDictionary(g => g.Key, g => g.Average(t => t.MsPerStep));
        var remainingMs = unfinished.Sum(t => Math.Max(0, t.Steps - Math.Max(t.LastStep, 0)) * byAlgorithm.GetValueOrDefault(t.Algorithm, overall));
        return remainingMs / trainingNow / 1000;
    }

    private static double? Mean(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : present.Average();
    }

    private static string? Truncate(string? reason) => reason is { Length: > 500 } ? reason[..500] + "..." : reason;
}
