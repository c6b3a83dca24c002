using Serilog;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Protocol;
using SweepCluster.Sweeps;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

internal static class StudySubmission
{
    /// <summary>Starts (or extends) the sweep's study; null when accepted, else the exit code after saying why.</summary>
    public static async Task<int?> SubmitAsync(ClusterNode node, Sweep sweep, CancellationToken cancellation)
    {
        var trials = sweep.Trials.Select(t => new TrialDefinition(t.Id, TrialJson.Serialize(t.Spec))).ToList();
        switch (await node.AskAsync(await StageAsync(node, sweep, trials, cancellation), TimeSpan.FromMinutes(2), cancellation))
        {
            case StudyRejected rejected:
                CliErrors.Error($"{sweep.File}: study {sweep.Study}: {rejected.Reason}");
                return ExitCodes.InvalidInput;
            case StudyStarted started:
                Log.Information("Study {Study}: {Added} new trials, {Known} in all", sweep.Study, started.TrialsAdded, started.TrialsKnown);
                return null;
            case var other:
                throw new InvalidOperationException($"unexpected answer to StartStudy: {other}");
        }
    }

    /// <summary>
    /// The StartStudy to send: with the trials inline when they fit one message, else after sending them as
    /// pages (one at a time, each acknowledged), which the coordinator adds together when StartStudy names them.
    /// </summary>
    private static async Task<StartStudy> StageAsync(ClusterNode node, Sweep sweep, List<TrialDefinition> trials, CancellationToken cancellation)
    {
        var pages = TrialPages.Split(trials, t => t.Size).ToList();
        if (pages.Count <= 1)
        {
            return new StartStudy(sweep.Study, sweep.Description, sweep.MaxRetries, trials);
        }
        var submission = Guid.NewGuid().ToString("N");
        for (var page = 0; page < pages.Count; page++)
        {
            await node.AskAsync(new StageTrials(sweep.Study, submission, page, pages[page]), TimeSpan.FromMinutes(1), cancellation);
        }
        Log.Information("Study {Study}: sent {Trials} trials in {Pages} pages", sweep.Study, trials.Count, pages.Count);
        return new StartStudy(sweep.Study, sweep.Description, sweep.MaxRetries, [], submission, pages.Count);
    }
}
