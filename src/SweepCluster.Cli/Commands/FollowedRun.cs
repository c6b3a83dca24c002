using System.Runtime.InteropServices;
using Serilog;
using SweepCluster.Cli.Terminal;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;

namespace SweepCluster.Cli.Commands;

/// <summary>Follows a study to its end, prints the summary and turns the outcome into an exit code.</summary>
internal static class FollowedRun
{
    public static async Task<int> FollowAsync(ClusterNode node, string studyId, OnCancel onCancel, CancellationToken cancellation)
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCtrlC;
        // SIGTERM (docker stop, kill) interrupts the same way.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            interrupt.Cancel();
        });
        // A store that cannot take writes any more (disk full, read-only) stops the study's coordinator; a
        // run says so at once rather than following a study that cannot move.
        var storeFailure = StoreFailureWatch.Start(node.System);
        StudyProgress status;
        try
        {
            var follow = new StudyFollower(node, studyId, onCancel).FollowAsync(interrupt.Token);
            if (await Task.WhenAny(follow, storeFailure) == storeFailure)
            {
                var failure = await storeFailure;
                CliErrors.Error($"the store cannot be written: {StoreProblems.Describe(failure.Cause)}. What was recorded before is kept; once the store is writable again, continue with: sweepcluster resume {studyId}");
                return ExitCodes.StoreUnavailable;
            }
            status = await follow;
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
        SummaryTable.Final(status).Write(TerminalWidth.Console());
        if (onCancel == OnCancel.Detach && interrupt.IsCancellationRequested && !status.IsSettled)
        {
            Log.Information("Detached from study {Study}; it goes on in the cluster. Interrupt it with: sweepcluster interrupt {Study} --cluster HOST:PORT", studyId, studyId);
            return ExitCodes.Success;
        }
        if (status.Phase == StudyPhase.Interrupted)
        {
            Log.Warning("Study {Study} interrupted with {Pending} trials left; continue it with: sweepcluster resume {Study}", studyId, status.Pending + status.Running, studyId);
            return ExitCodes.Interrupted;
        }
        if (status.Failed > 0)
        {
            foreach (var failed in status.Failures)
            {
                Log.Error("Trial {Trial} ({Algorithm}, seed {Seed}) failed after {Attempts} attempts: {Reason}", failed.TrialId, failed.Algorithm, failed.Seed, failed.Attempts, failed.Reason);
            }
            if (status.Failed > status.Failures.Count)
            {
                Log.Error("{More} more trials failed; see: sweepcluster status {Study}", status.Failed - status.Failures.Count, studyId);
            }
            return ExitCodes.Failure;
        }
        if (status.Pruned > 0)
        {
            Log.Information("Study {Study} finished: {Completed} completed, {Diverged} diverged, {Stalled} stalled, {Pruned} stopped early by the scheduler (see sweepcluster status {Study})", studyId, status.Completed, status.Diverged, status.Stalled, status.Pruned, studyId);
            return ExitCodes.Success;
        }
        if (status.Stalled > 0)
        {
            Log.Warning("Study {Study} finished: {Completed} completed, {Diverged} diverged, {Stalled} stalled in a cycle (see sweepcluster status {Study})", studyId, status.Completed, status.Diverged, status.Stalled, studyId);
            return ExitCodes.Success;
        }
        Log.Information("Study {Study} finished: {Completed} completed, {Diverged} diverged", studyId, status.Completed, status.Diverged);
        return ExitCodes.Success;
    }
}
