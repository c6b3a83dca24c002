using Serilog;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Sweeps;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

internal static class StudySubmission
{
    /// <summary>Starts (or extends) the sweep's study; null when accepted, else the exit code after saying why.</summary>
    public static async Task<int?> SubmitAsync(ClusterNode node, Sweep sweep, CancellationToken cancellation)
    {
        var trials = sweep.Trials.Select(t => new TrialDefinition(t.Id, TrialJson.Serialize(t.Spec))).ToList();
        switch (await node.StartStudyAsync(sweep.Study, sweep.Description, sweep.MaxRetries, trials, sweep.Scheduler, cancellation))
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
}
