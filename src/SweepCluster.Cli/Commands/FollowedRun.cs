using System.Runtime.InteropServices;
using Serilog;
using Spectre.Console;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Study;

namespace SweepCluster.Cli.Commands;

/// <summary>Follows a study to its end, prints the summary and turns the outcome into an exit code.</summary>
internal static class FollowedRun
{
    public static async Task<int> FollowAsync(ClusterNode node, string studyId, CancellationToken cancellation)
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (docker stop, kill) interrupts the same way.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            interrupt.Cancel();
        });
        StudyStatus status;
        try
        {
            status = await new StudyFollower(node, studyId).FollowAsync(interrupt.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 200;
        }
        console.Write(SummaryTable.Final(status));
        if (status.Phase == StudyPhase.Interrupted)
        {
            Log.Warning("Study {Study} interrupted with {Pending} trials left; continue it with: sweepcluster resume {Study}", studyId, status.Pending + status.Running, studyId);
            return ExitCodes.Interrupted;
        }
        if (status.Failed > 0)
        {
            foreach (var failed in status.Trials.Where(t => t.Status == TrialStatus.Failed))
            {
                Log.Error("Trial {Trial} ({Algorithm}, seed {Seed}) failed after {Attempts} attempts: {Reason}", failed.TrialId, failed.Algorithm, failed.Seed, failed.Attempt, failed.Reason);
            }
            return ExitCodes.Failure;
        }
        Log.Information("Study {Study} finished: {Completed} completed, {Diverged} diverged", studyId, status.Completed, status.Diverged);
        return ExitCodes.Success;
    }
}
