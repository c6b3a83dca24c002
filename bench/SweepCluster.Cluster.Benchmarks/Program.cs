using System.Diagnostics;
using System.Globalization;
using SweepCluster.Training;
using SweepCluster.Worker;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Protocol.Study;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Cluster.Work;
using SweepCluster.Trials;

// dotnet SweepCluster.Cluster.Benchmarks.dll overhead [trials] [rounds] [slots]
// dotnet SweepCluster.Cluster.Benchmarks.dll pair [trials] [rounds] [threads,threads...]
// dotnet SweepCluster.Cluster.Benchmarks.dll ingest|turnover|sleep|idle [size] [turnover slots]
// dotnet SweepCluster.Cluster.Benchmarks.dll cluster-sleep [trials] [workers] [slots per worker] [plain|tls]
var mode = args.Length > 0 ? args[0] : "all";
if (mode == "cluster-sleep-node")
{
    await LoopbackSleepCluster.NodeAsync(args);
    return;
}
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
int Size(int fallback) => Arg(1, fallback);
var turnoverSlots = Arg(2, 2);
var folder = Directory.CreateTempSubdirectory("sweepcluster-bench-").FullName;
try
{
    if (mode is "overhead" or "all")
    {
        await Overhead(Size(24), rounds: Arg(2, 3), slots: Arg(3, 2));
    }
    if (mode is "ingest" or "all")
    {
        await Ingest(Size(200_000));
    }
    if (mode is "turnover" or "all")
    {
        await Turnover(Size(1000));
    }
    if (mode is "sleep" or "all")
    {
        await Sleeping(Size(100), slots: 2);
    }
    if (mode is "pair")
    {
        Pair(Size(12), rounds: Arg(2, 4),
            args.Length > 3 ? args[3].Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray() : [1, 2]);
    }
    if (mode is "cluster-sleep")
    {
        await LoopbackSleepCluster.RunAsync(Size(10_000), workers: Arg(2, 4), slots: Arg(3, 50), tls: args.Length > 4 && args[4] == "tls", folder);
    }
    if (mode is "idle")
    {
        await Idle(Size(10));
    }
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

TrialSpec Spec(int seed, int steps, int width, int every, double lr = 0.01) => new(
    new SyntheticDatasetSpec(100, 20, 0.1, 0, 0), new ModelSpec(2, width, InitKind.Normal, 0.1), LossKind.Exponential, Reduction.Sum,
    AlgorithmKind.Gd, lr, StepForm.Dual, LrSchedule.Constant, null, null, null, steps, every, new StopSpec(0, null), seed, 1);

// The overhead benchmark's trial of a fixed training cost: 2-layer width 256, 3000 full-batch gd steps
// (about 1 s each here), a checkpoint every 100 steps.
TrialSpec FixedCostTrial(int seed) => Spec(seed, 3000, 256, 100, lr: 0.001);

async Task<ClusterNode> StartNode(string name, int slots, ITrialExecutor executor)
{
    var store = StoreOptions.Sqlite(Path.Combine(folder, $"{name}.db"));
    var options = new NodeOptions([ClusterRoles.Coordinator, ClusterRoles.Worker], "127.0.0.1", 0, null, [], slots, store, TimeSpan.FromHours(1), executor);
    var clock = Stopwatch.StartNew();
    var node = await ClusterNode.StartAsync(options, TimeSpan.FromSeconds(60));
    Console.WriteLine($"{name}: the node started in {clock.Elapsed.TotalSeconds:F2} s");
    return node;
}

async Task<(TimeSpan Wall, StudyStatus Status)> RunStudy(string study, IReadOnlyList<TrialSpec> specs, int slots, ITrialExecutor executor)
{
    await using var node = await StartNode(study, slots, executor);
    return await RunStudyOn(node, study, specs);
}

async Task<(TimeSpan Wall, StudyStatus Status)> RunStudyOn(ClusterNode node, string study, IReadOnlyList<TrialSpec> specs)
{
    var trials = specs.Select(s => new TrialDefinition(TrialJson.StableId(s), TrialJson.Serialize(s))).ToList();
    var clock = Stopwatch.StartNew();
    await node.AskAsync(new StartStudy(study, null, 0, trials), TimeSpan.FromMinutes(5));
    while (true)
    {
        var status = (StudyStatus)await node.AskAsync(new GetStudyStatus(study), TimeSpan.FromMinutes(1));
        if (status.IsSettled)
        {
            return (clock.Elapsed, status);
        }
        await Task.Delay(100);
    }
}

async Task Overhead(int count, int rounds, int slots)
{
    // Trials of a fixed training cost (FixedCostTrial). This machine drifts by 10% over minutes, so each
    // round measures three ways back to back on its own trials: as a study on the cluster node, then one
    // at a time (the ideal: the sum of solo times over the slots), then on plain threads without the
    // cluster (the peer; with more than one slot). The study goes first, so that round 1 is what a user's
    // first sweep on a fresh node pays: every one-time cost (the JIT of the cluster's code and of the
    // training's, the first writes) falls on the cluster, none on the ideal.
    var timed = new TimedExecutor(new EngineTrialExecutor());
    var nodeClock = Stopwatch.StartNew();
    await using var node = await StartNode("overhead", slots, timed);
    var nodeStart = nodeClock.Elapsed;
    var warm = new List<(double Ideal, double Peer, double Plain)>();
    for (var round = 1; round <= rounds; round++)
    {
        var specs = Enumerable.Range((round - 1) * count, count).Select(FixedCostTrial).ToList();
        var threads = ThreadTimes.Read();
        var gc = GcCount.Now();
        var (jitTime, jitMethods) = (System.Runtime.JitInfo.GetCompilationTime(), System.Runtime.JitInfo.GetCompiledMethodCount());
        timed.Reset();
        var (wall, status) = await RunStudyOn(node, $"round-{round}", specs);
        Console.WriteLine($"overhead: round {round}: cluster: the JIT compiled {System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods} methods in " +
            $"{(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalSeconds:F2} s over the study");
        var besidesTraining = ThreadTimes.Report($"overhead: round {round}: cluster", threads, wall, excluding: "training-");
        Console.WriteLine($"overhead: round {round}: cluster: {GcCount.Since(gc)}; training took {timed.Total.TotalSeconds / count:F2} s per trial, " +
            $"the first started {timed.FirstStart.TotalSeconds:F2} s after the study was submitted; completed {status.Completed}/{status.Total}; " +
            $"threads other than the trainings used {besidesTraining:F2} CPU s = {besidesTraining / (wall.TotalSeconds * slots) * 100:F1}% of the {slots} slots' time over the study");
        var ideal = OnPlainThreads(specs, 1).TrialWall / slots;
        var plain = slots > 1 ? OnPlainThreads(specs, slots).Wall : ideal;
        var first = round == 1 ? $" (the node's first study; counting the node's start of {nodeStart.TotalSeconds:F2} s too: {(wall + nodeStart) / ideal:F3} x the ideal)" : "";
        Console.WriteLine($"overhead: round {round}: {count} trials on {slots} slots: ideal {ideal.TotalSeconds:F2} s, " +
            (slots > 1 ? $"plain threads {plain.TotalSeconds:F2} s = {plain / ideal:F3} x the ideal, " : "") +
            $"cluster {wall.TotalSeconds:F2} s = {wall / ideal:F3} x the ideal" + (slots > 1 ? $" = {wall / plain:F3} x the plain threads" : "") + first);
        if (round > 1)
        {
            warm.Add((wall / ideal, wall / plain, plain / ideal));
        }
    }
    if (warm.Count > 0)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
        }
        // With one slot there is no plain-threads peer: its ratios would read 1.000.
        Console.WriteLine($"overhead: {warm.Count} warm rounds, medians: cluster {Median(warm.Select(w => w.Ideal)):F3} x the ideal" + (slots > 1
            ? $" and {Median(warm.Select(w => w.Peer)):F3} x the plain threads; plain threads {Median(warm.Select(w => w.Plain)):F3} x the ideal"
            : ""));
    }
}

(TimeSpan Wall, TimeSpan TrialWall, double TrialCpuSeconds) OnPlainThreads(IReadOnlyList<TrialSpec> specs, int threadCount)
{
    // The trials on `threadCount` plain threads taking from one queue: no cluster, no persistence. One
    // thread is the solo runs (the ideal is the sum of their times); more are the peer. Returns the wall
    // time, and the trials' own wall and CPU time summed.
    var queue = new System.Collections.Concurrent.ConcurrentQueue<TrialSpec>(specs);
    long trialTicks = 0, cpuTicks = 0;
    var clock = Stopwatch.StartNew();
    var threads = Enumerable.Range(0, threadCount).Select(i => new Thread(() =>
    {
        TorchRuntime.UseThreads(1);
        while (queue.TryDequeue(out var spec))
        {
            var cpu = ThreadTimes.OfThisThread();
            var trial = Stopwatch.StartNew();
            new EngineTrialExecutor().Execute(spec, null, new Discard(), TimeSpan.FromHours(1), CancellationToken.None);
            Interlocked.Add(ref trialTicks, trial.Elapsed.Ticks);
            Interlocked.Add(ref cpuTicks, ThreadTimes.OfThisThread() - cpu);
        }
    }) { Name = $"plain-{i}" }).ToList();
    threads.ForEach(t => t.Start());
    threads.ForEach(t => t.Join());
    return (clock.Elapsed, TimeSpan.FromTicks(trialTicks), cpuTicks / 100.0);
}

void Pair(int count, int rounds, int[] threadCounts)
{
    // Why two trainings side by side miss the solo-time ideal, without any cluster: the same kind of
    // trials one at a time on one thread, then on two threads at once, alternating. Wall and CPU per
    // trial. One trial first, not counted, compiles the training code.
    OnPlainThreads([FixedCostTrial(-1)], 1);
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var threadsUsed in threadCounts)
        {
            var specs = Enumerable.Range(round * 1000 + threadsUsed * 100, count).Select(FixedCostTrial).ToList();
            var gc = GcCount.Now();
            var (wall, trialWall, trialCpu) = OnPlainThreads(specs, threadsUsed);
            Console.WriteLine($"pair: round {round}: {threadsUsed} thread(s): {wall.TotalSeconds:F2} s wall; per trial {trialWall.TotalSeconds / count:F3} s wall, " +
                $"{trialCpu / count:F3} CPU s; {GcCount.Since(gc)}");
        }
    }
}

async Task Sleeping(int count, int slots)
{
    // Ray Tune's way of measuring orchestration alone: trials of a fixed 1 s that use no CPU, so that
    // trials side by side do not slow each other down. Each streams a checkpoint every 100 ms.
    var specs = Enumerable.Range(0, count).Select(seed => Spec(seed, 10, 8, 1)).ToList();
    await using var node = await StartNode("sleep", slots, new SleepingExecutor(TimeSpan.FromMilliseconds(100)));
    var ideal = TimeSpan.FromSeconds(count * 1.0 / slots);
    var (wall, status) = await RunStudyOn(node, "sleep", specs);
    Console.WriteLine($"sleep: {count} trials of 1 s on {slots} slots on a fresh node: ideal {ideal.TotalSeconds:F2} s, sweep wall {wall.TotalSeconds:F2} s, " +
        $"wall/ideal = {wall / ideal:F3} ({(wall / ideal - 1) * 100:F1}% over); completed {status.Completed}/{status.Total}");
}

async Task Ingest(int total)
{
    // Executors that emit checkpoints as fast as the actors accept them: what is measured is the path
    // from the training thread through batching, the coordinator and the SQLite journal.
    const int trials = 4;
    var perTrial = total / trials;
    var specs = Enumerable.Range(0, trials).Select(seed => Spec(seed, perTrial - 1, 8, 1)).ToList();
    var (wall, status) = await RunStudy("ingest", specs, 2, new CheckpointFlood());
    var recorded = status.Trials.Sum(t => t.CheckpointCount);
    Console.WriteLine($"ingest: {recorded:N0} checkpoints persisted (acknowledged and journaled) in {wall.TotalSeconds:F2} s = {recorded / wall.TotalSeconds:N0} checkpoints/s");
}

async Task Turnover(int count)
{
    // Trivial trials: the real engine, 3 steps of a 2-2-1 network on 10 points.
    var specs = Enumerable.Range(0, count).Select(seed => new TrialSpec(
        new SyntheticDatasetSpec(10, 2, 0.1, 0, 0), new ModelSpec(2, 2, InitKind.Normal, 0.1), LossKind.Exponential, Reduction.Sum,
        AlgorithmKind.Gd, 0.01, StepForm.Dual, LrSchedule.Constant, null, null, null, 3, 1, new StopSpec(0, null), seed, 1)).ToList();
    var start = Stopwatch.StartNew();
    await using var node = await StartNode("turnover", turnoverSlots, new EngineTrialExecutor());
    var nodeStart = start.Elapsed;
    foreach (var study in new[] { "first", "second" })
    {
        // As for the overhead: the first study on a fresh node pays the process's one-time costs.
        var threads = ThreadTimes.Read();
        var (wall, status) = await RunStudyOn(node, study, specs.Select(s => s with { Seed = s.Seed + (study == "first" ? 0 : count) }).ToList());
        ThreadTimes.Report($"turnover: {study} study", threads, wall);
        Console.WriteLine($"turnover: {study} study: {status.Completed} trivial trials (3 steps, 4 checkpoints each) completed and persisted in {wall.TotalSeconds:F2} s = {status.Completed / wall.TotalSeconds:F0} trials/s" +
            (study == "first" ? $"; {status.Completed / (wall + nodeStart).TotalSeconds:F0} trials/s counting the node's start too" : ""));
    }
}

async Task Idle(int seconds)
{
    // What a node with nothing to do costs: CPU per thread over a window, read from /proc.
    await using var node = await StartNode("idle", 2, new EngineTrialExecutor());
    await Task.Delay(3000);
    var before = ThreadTimes.Read();
    var clock = Stopwatch.StartNew();
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    ThreadTimes.Report("idle: a node with nothing to do", before, clock.Elapsed);
}

internal static class GcCount
{
    public static (int Gen0, int Gen1, int Gen2, TimeSpan Paused) Now() =>
        (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public static string Since((int Gen0, int Gen1, int Gen2, TimeSpan Paused) before)
    {
        var now = Now();
        return $"garbage collections gen0 {now.Gen0 - before.Gen0}, gen1 {now.Gen1 - before.Gen1}, gen2 {now.Gen2 - before.Gen2}, paused {(now.Paused - before.Paused).TotalSeconds:F2} s";
    }
}

internal static class ThreadTimes
{
    /// <summary>Prints CPU seconds per thread name since <paramref name="before"/>; threads that ended since are not counted.</summary>
    /// <returns>The CPU seconds of the threads whose names do not start with <paramref name="excluding"/>.</returns>
    public static double Report(string label, Dictionary<int, (string Name, long Ticks)> before, TimeSpan wall, string? excluding = null)
    {
        var used = Read().Select(a => (a.Value.Name, Ticks: a.Value.Ticks - (before.TryGetValue(a.Key, out var b) ? b.Ticks : 0)))
            .Where(t => t.Ticks > 0).GroupBy(t => t.Name)
            .Select(g => (Name: g.Key, Seconds: g.Sum(t => t.Ticks) / 100.0)).OrderByDescending(t => t.Seconds).ToList();
        Console.WriteLine($"{label}: {used.Sum(t => t.Seconds):F2} CPU s in {wall.TotalSeconds:F2} s wall; by thread name: " +
            string.Join(", ", used.Take(8).Select(t => $"{t.Name} {t.Seconds:F2}")));
        return used.Where(t => excluding is null || !t.Name.StartsWith(excluding, StringComparison.Ordinal)).Sum(t => t.Seconds);
    }

    /// <summary>utime + stime of the calling thread, in clock ticks.</summary>
    public static long OfThisThread() => CpuTicks(File.ReadAllText("/proc/thread-self/stat")).Ticks;

    /// <summary>utime + stime of every thread of this process, in clock ticks (100 a second on Linux).</summary>
    public static Dictionary<int, (string Name, long Ticks)> Read()
    {
        var times = new Dictionary<int, (string, long)>();
        foreach (var dir in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                times[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = CpuTicks(File.ReadAllText(Path.Combine(dir, "stat")));
            }
            catch (IOException)
            {
                // The thread ended between listing and reading.
            }
        }
        return times;
    }

    /// <summary>A thread's name and utime + stime from its /proc stat line (the name may hold spaces and parentheses).</summary>
    private static (string Name, long Ticks) CpuTicks(string stat)
    {
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        return (stat[(stat.IndexOf('(') + 1)..close],
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
    }
}

internal sealed class Discard : ITrialProgress
{
    public void OnCheckpoint(Checkpoint checkpoint)
    {
    }

    public void OnState(long atStep, byte[] bytes)
    {
    }
}

internal sealed class TimedExecutor(ITrialExecutor inner) : ITrialExecutor
{
    private readonly Stopwatch _sinceCreated = Stopwatch.StartNew();
    private long _ticks;
    private long _firstStart = -1;

    public TimeSpan Total => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public TimeSpan FirstStart => TimeSpan.FromTicks(_firstStart);

    public void Reset()
    {
        _sinceCreated.Restart();
        Interlocked.Exchange(ref _ticks, 0);
        Interlocked.Exchange(ref _firstStart, -1);
    }

    public TrialOutcome Execute(TrialSpec spec, byte[]? resumeFrom, ITrialProgress observer, TimeSpan saveStateInterval, CancellationToken cancellation)
    {
        Interlocked.CompareExchange(ref _firstStart, _sinceCreated.Elapsed.Ticks, -1);
        var clock = Stopwatch.StartNew();
        var outcome = inner.Execute(spec, resumeFrom, observer, saveStateInterval, cancellation);
        Interlocked.Add(ref _ticks, clock.Elapsed.Ticks);
        return outcome;
    }
}

internal sealed class SleepingExecutor(TimeSpan perStep) : ITrialExecutor
{
    public TrialOutcome Execute(TrialSpec spec, byte[]? resumeFrom, ITrialProgress observer, TimeSpan saveStateInterval, CancellationToken cancellation)
    {
        var checkpoint = new Checkpoint(0, 1, 1, null, 1, 1, 1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0);
        for (long step = 1; step <= spec.Steps; step++)
        {
            Thread.Sleep(perStep);
            observer.OnCheckpoint(checkpoint with { Step = step });
        }
        return new TrialOutcome(TrialEnd.Completed, spec.Steps, checkpoint with { Step = spec.Steps }, 0, null);
    }
}

internal sealed class CheckpointFlood : ITrialExecutor
{
    public TrialOutcome Execute(TrialSpec spec, byte[]? resumeFrom, ITrialProgress observer, TimeSpan saveStateInterval, CancellationToken cancellation)
    {
        var checkpoint = new Checkpoint(0, 1, 1, null, 1, 1, 1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0);
        for (long step = 0; step <= spec.Steps; step++)
        {
            observer.OnCheckpoint(checkpoint with { Step = step });
        }
        return new TrialOutcome(TrialEnd.Completed, spec.Steps, checkpoint with { Step = spec.Steps }, 0, null);
    }
}
