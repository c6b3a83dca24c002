using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Protocol.Study;
using SweepCluster.Cluster.Security;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Cluster.Work;
using SweepCluster.Trials;

/// <summary>
/// Ray Tune's published scalability test in our terms: a loopback cluster of one coordinator process and
/// several worker processes with many slots runs trials that sleep 1 s (no CPU, a checkpoint every 100 ms),
/// so what is measured is orchestration alone. Reports the wall time against the ideal (trials x 1 s /
/// slots) and the coordinator's peak memory (VmHWM). With <c>tls</c>, every connection is mutual TLS, as a
/// cluster beyond loopback runs.
/// </summary>
internal static class LoopbackSleepCluster
{
    public static async Task RunAsync(int trials, int workers, int slots, bool tls, string folder)
    {
        var store = Path.Combine(folder, "sleep-cluster.db");
        var bundle = tls ? Bundle(folder) : "-";
        var coordinatorPort = FreePort();
        var processes = new List<Process>();
        try
        {
            var clock = Stopwatch.StartNew();
            var coordinator = Start(folder, processes, "coordinator", Port(coordinatorPort), bundle, store);
            await WaitUp(coordinator);
            var workerProcesses = Enumerable.Range(0, workers).Select(_ => Start(folder, processes, "worker", Port(FreePort()), bundle, Port(coordinatorPort), Port(slots))).ToList();
            foreach (var worker in workerProcesses)
            {
                await WaitUp(worker);
            }
            Console.WriteLine($"cluster-sleep: a coordinator and {workers} workers of {slots} slots up in {clock.Elapsed.TotalSeconds:F1} s, {(tls ? "mutual TLS" : "plain TCP")}");

            var client = new NodeOptions(["client"], "127.0.0.1", 0, null, [$"127.0.0.1:{coordinatorPort}"], 0, null, TimeSpan.FromHours(1), new SleepingExecutor(TimeSpan.Zero))
            {
                Credentials = Credentials(bundle),
            };
            await using var node = await ClusterNode.StartAsync(client, TimeSpan.FromSeconds(30));
            var definitions = Enumerable.Range(0, trials).Select(seed => Spec(seed)).Select(s => new TrialDefinition(TrialJson.StableId(s), TrialJson.Serialize(s))).ToList();
            var pages = TrialPages.Split(definitions, d => d.Size).Count();
            var submitted = Stopwatch.StartNew();
            await node.StartStudyAsync("sleep", null, 0, definitions);
            var started = submitted.Elapsed;
            StudyProgress progress;
            while (!(progress = (StudyProgress)await node.AskAsync(new GetStudyProgress("sleep"), TimeSpan.FromMinutes(1))).IsSettled)
            {
                await Task.Delay(100);
            }
            var wall = submitted.Elapsed;
            var ideal = TimeSpan.FromSeconds(trials * 1.0 / (workers * slots));
            Console.WriteLine($"cluster-sleep: {progress.Completed}/{trials} trials of 1 s on {workers} x {slots} = {workers * slots} slots: the submission ({pages} pages) took {started.TotalSeconds:F2} s; " +
                $"wall {wall.TotalSeconds:F2} s from submitting to the last trial recorded, ideal {ideal.TotalSeconds:F2} s, wall/ideal = {wall / ideal:F3} ({(wall / ideal - 1) * 100:F1}% over)");
            Console.WriteLine($"cluster-sleep: coordinator peak memory (VmHWM) {PeakMegabytes(coordinator.Id):F0} MB; workers {string.Join(", ", workerProcesses.Select(w => $"{PeakMegabytes(w.Id):F0}"))} MB; " +
                $"late-heartbeat warnings from all nodes: {Volatile.Read(ref _heartbeatWarnings)}");
        }
        finally
        {
            foreach (var process in processes.Where(p => !p.HasExited))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }
    }

    /// <summary>One node of the benchmark's cluster, in its own process: `cluster-sleep-node coordinator PORT BUNDLE STORE` or `... worker PORT BUNDLE SEED_PORT SLOTS` (BUNDLE `-` for plain TCP).</summary>
    public static async Task NodeAsync(string[] args)
    {
        var port = int.Parse(args[2], CultureInfo.InvariantCulture);
        var options = args[1] == "coordinator"
            ? new NodeOptions([ClusterRoles.Coordinator], "127.0.0.1", port, null, [$"127.0.0.1:{port}"], 0, StoreOptions.Sqlite(args[4]), TimeSpan.FromHours(1), new SleepingExecutor(TimeSpan.Zero))
            : new NodeOptions([ClusterRoles.Worker], "127.0.0.1", port, null, [$"127.0.0.1:{args[4]}"], int.Parse(args[5], CultureInfo.InvariantCulture), null, TimeSpan.FromHours(1), new SleepingExecutor(TimeSpan.FromMilliseconds(100)));
        options = options with { Credentials = Credentials(args[3]) };
        await using var node = await ClusterNode.StartAsync(options, TimeSpan.FromSeconds(60));
        Console.WriteLine("up");
        await node.System.WhenTerminated;
    }

    /// <summary>One bundle shared by every node of the benchmark: what matters here is the cost of TLS, not identities.</summary>
    private static string Bundle(string folder)
    {
        using var authority = CertificateAuthority.Create("bench", TimeSpan.FromDays(1));
        var path = Path.Combine(folder, "bench.p12");
        CertificateAuthority.SaveBundle(authority.Issue("bench", TimeSpan.FromDays(1)), path);
        return path;
    }

    private static ClusterCredentials? Credentials(string bundle) => bundle == "-" ? null : ClusterCredentials.Load(bundle);

    private static TrialSpec Spec(int seed) => new(
        new SyntheticDatasetSpec(100, 20, 0.1, 0, 0), new ModelSpec(2, 8, InitKind.Normal, 0.1), LossKind.Exponential, Reduction.Sum,
        AlgorithmKind.Gd, 0.01, StepForm.Dual, LrSchedule.Constant, null, null, null, 10, 1, new StopSpec(0, null), seed, 1);

    private static Process Start(string folder, List<Process> processes, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(LoopbackSleepCluster).Assembly.Location);
        info.ArgumentList.Add("cluster-sleep-node");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        processes.Add(process);
        return process;
    }

    private static int _heartbeatWarnings;

    private static async Task WaitUp(Process process)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == "up")
            {
                // Keep reading its output (it must never block on a full pipe), counting Akka's warnings
                // that a heartbeat came late: what a busy coordinator would show first.
                _ = Task.Run(async () =>
                {
                    while (await process.StandardOutput.ReadLineAsync() is { } later)
                    {
                        if (later.Contains("heartbeat interval is growing too large", StringComparison.Ordinal))
                        {
                            Interlocked.Increment(ref _heartbeatWarnings);
                        }
                    }
                });
                return;
            }
        }
        throw new InvalidOperationException("a benchmark node exited before it was up");
    }

    private static double PeakMegabytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0).Single();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
