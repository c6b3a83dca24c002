using System.Diagnostics;
using Serilog;
using Spectre.Console;
using SweepCluster.Cli.Terminal;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Study;

namespace SweepCluster.Cli.Commands;

/// <summary>What Ctrl+C (or SIGTERM) does to a followed study.</summary>
internal enum OnCancel
{
    /// <summary>Interrupt the study (running trials save their state) and wait for it to go quiet: `run`, whose process is the cluster.</summary>
    Interrupt,
    /// <summary>Stop following; the study goes on: `submit`, a client of a cluster that outlives it.</summary>
    Detach,
}

/// <summary>
/// Follows a study until it settles: a live display on a terminal, a plain log line every few seconds in
/// a pipe or in CI. It polls the study's <see cref="StudyProgress"/>, whose size does not grow with the
/// study. On Ctrl+C it either interrupts the study and waits for it to go quiet, so nothing acknowledged
/// is lost, or detaches (see <see cref="OnCancel"/>).
/// </summary>
internal sealed class StudyFollower(ClusterNode node, string studyId, OnCancel onCancel)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan InterruptTimeout = TimeSpan.FromMinutes(2);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private bool _interrupting;

    public static bool Interactive =>
        !Console.IsOutputRedirected && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null && AnsiConsole.Profile.Capabilities.Interactive;

    public async Task<StudyProgress> FollowAsync(CancellationToken interrupt)
    {
        if (!Interactive)
        {
            return await Loop(status => Log.Information("{Study}: {Line}", studyId, ProgressLine(status)), TimeSpan.FromSeconds(5), interrupt);
        }
        StudyProgress final = null!;
        using (ConsoleDiversion.Begin())
        {
            await AnsiConsole.Live(new Markup("starting...")).AutoClear(false).StartAsync(async live =>
            {
                final = await Loop(status =>
                {
                    live.UpdateTarget(Render(status));
                    live.Refresh();
                }, TimeSpan.FromMilliseconds(500), interrupt);
            });
        }
        return final;
    }

    private async Task<StudyProgress> Loop(Action<StudyProgress> show, TimeSpan every, CancellationToken interrupt)
    {
        var deadline = DateTime.MaxValue;
        var lastShown = DateTime.MinValue;
        while (true)
        {
            if (interrupt.IsCancellationRequested && onCancel == OnCancel.Detach)
            {
                var last = await AskStatusAsync(CancellationToken.None);
                return last ?? throw new OperationCanceledException();
            }
            if (interrupt.IsCancellationRequested && !_interrupting)
            {
                _interrupting = true;
                deadline = DateTime.UtcNow + InterruptTimeout;
                Log.Warning("Interrupting study {Study}: running trials save their state", studyId);
                await node.AskAsync(new InterruptStudy(studyId), AskTimeout, CancellationToken.None);
            }
            var status = await AskStatusAsync(_interrupting ? CancellationToken.None : interrupt);
            if (status is null)
            {
                continue;
            }
            WarnWithoutWorkers(status);
            var settled = status.IsSettled && (_interrupting || status.Phase == StudyPhase.Finished);
            if (settled || DateTime.UtcNow - lastShown >= every)
            {
                show(status);
                lastShown = DateTime.UtcNow;
            }
            if (settled || DateTime.UtcNow > deadline)
            {
                return status;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), _interrupting ? CancellationToken.None : interrupt);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: handled at the top of the loop.
            }
        }
    }

    /// <summary>
    /// The study's status, or null after waiting out a coordinator that does not answer: while the store
    /// is down the coordinator cannot recover, and asking again later restarts it once the store is back.
    /// Gives up only after <see cref="StoreOutageLimit"/> of silence.
    /// </summary>
    private async Task<StudyProgress?> AskStatusAsync(CancellationToken cancellation)
    {
        try
        {
            var status = (StudyProgress)await node.AskAsync(new GetStudyProgress(studyId), AskTimeout, CancellationToken.None);
            _silentSince = null;
            return status;
        }
        catch (Akka.Actor.AskTimeoutException)
        {
            _silentSince ??= DateTime.UtcNow;
            if (DateTime.UtcNow - _silentSince > StoreOutageLimit)
            {
                throw;
            }
            _backoff = _backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(Math.Min(_backoff.TotalSeconds * 2, 15));
            Log.Warning("Study {Study}: the coordinator does not answer (is the store down?); asking again in {Seconds} s", studyId, _backoff.TotalSeconds);
            try
            {
                await Task.Delay(_backoff, cancellation);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: handled by the loop.
            }
            return null;
        }
    }

    private static readonly TimeSpan StoreOutageLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan NoWorkerWarningEvery = TimeSpan.FromSeconds(30);
    private DateTime _lastNoWorkerWarning = DateTime.MinValue;

    private void WarnWithoutWorkers(StudyProgress status)
    {
        if (status.Workers == 0 && status.Pending > 0 && status.Phase == StudyPhase.Running && DateTime.UtcNow - _lastNoWorkerWarning > NoWorkerWarningEvery)
        {
            _lastNoWorkerWarning = DateTime.UtcNow;
            Log.Warning("Study {Study}: {Pending} trials are pending and no worker node has joined the cluster; start one with: sweepcluster node --role worker --seed HOST:PORT", studyId, status.Pending);
        }
    }
    private DateTime? _silentSince;
    private TimeSpan _backoff;

    /// <summary>One line for a pipe or CI: running trials train in a slot, queued ones wait in a worker's queue, pending ones at the coordinator.</summary>
    internal string ProgressLine(StudyProgress s) =>
        $"{s.Completed + s.Diverged + s.Stalled + s.Failed + s.Pruned}/{s.Total} done ({s.Completed} completed, {s.Diverged} diverged{(s.Stalled > 0 ? $", {s.Stalled} stalled" : "")}, {s.Failed} failed{(s.Pruned > 0 ? $", {s.Pruned} pruned" : "")}), " +
        $"{s.Training} running, {s.Queued} queued, {s.Pending} pending, elapsed {Duration(_clock.Elapsed)}, eta {Eta(s)}" +
        (s.Algorithms.Any(b => b.Best.Values.Any(v => v is not null))
            ? "; best " + string.Join("; ", s.Algorithms.Select(b => $"{b.Algorithm.ToString().ToLowerInvariant()} " + string.Join(" ", MetricRegistry.Summarized.Select(m => $"{m.Name} {Number(b.Best.GetValueOrDefault(m.Name))}"))))
            : "");

    private Rows Render(StudyProgress s)
    {
        var state = _interrupting ? "interrupting: running trials save their state" : s.Phase.ToString().ToLowerInvariant();
        // Fitted like every other table: on a narrow terminal the columns stack rather than cut their headers.
        var counts = new FittedTable($"{s.StudyId} ({state})", []);
        foreach (var column in new[] { "done", "running", "queued", "pending", "diverged", "failed", "pruned", "elapsed", "eta" })
        {
            counts.AddColumn(column, rightAligned: true);
        }
        counts.AddRow([$"{s.Completed + s.Diverged + s.Stalled + s.Failed + s.Pruned}/{s.Total}", $"{s.Training}", $"{s.Queued}", $"{s.Pending}", s.Stalled > 0 ? $"{s.Diverged} (+{s.Stalled} stalled)" : $"{s.Diverged}", $"{s.Failed}", $"{s.Pruned}",
            Duration(_clock.Elapsed), Eta(s)]);
        // The live region is drawn at the profile's width: the same as the tables', $COLUMNS included, read anew as a terminal resizes.
        var width = AnsiConsole.Profile.Width = TerminalWidth.Current;
        var parts = new List<Spectre.Console.Rendering.IRenderable> { counts.Render(width, TableBorder.Rounded), SummaryTable.BestMargins(s, width) };
        parts.AddRange(ConsoleDiversion.Recent.Select(line => new Text(line)));
        return new Rows(parts);
    }

    /// <summary>The coordinator's estimate from measured per-step times; "-" until a step has been timed and once the study has settled.</summary>
    private static string Eta(StudyProgress s) => s.IsSettled || s.Phase == StudyPhase.Finished ? "-" : s.EtaSeconds is { } seconds ? Duration(TimeSpan.FromSeconds(seconds)) : "-";

    private static string Duration(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t:mm\\:ss}" : t.ToString(@"mm\:ss");

    private static string Number(double? value) => value is { } v ? v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) : "-";
}
