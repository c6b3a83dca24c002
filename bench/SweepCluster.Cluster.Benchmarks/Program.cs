using System.Diagnostics;
using System.Globalization;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Cluster.Protocol;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Cluster.Work;
using SweepCluster.Training;
using SweepCluster.Training.State;
using SweepCluster.Trials;

// dotnet SweepCluster.Cluster.Benchmarks.dll overhead|ingest|turnover [size]
var mode = args.Length > 0 ? args[0] : "all";
var turnoverSlots = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
int Size(int fallback) => args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : fallback;
var folder = Directory.CreateTempSubdirectory("sweepcluster-bench-").FullName;
try
{
    if (mode is "overhead" or "all")
    {
        await Overhead(Size(24), slots: 2);
    }
    if (mode is "ingest" or "all")
    {
        await Ingest(Size(200_000));
    }
    if (mode is "turnover" or "all")
    {
        await Turnover(Size(1000));
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

async Task<(TimeSpan Wall, StudyStatus Status)> RunStudy(string study, IReadOnlyList<TrialSpec> specs, int slots, ITrialExecutor executor, Action? onSubmit = null)
{
    var store = StoreOptions.Sqlite(Path.Combine(folder, $"{study}.db"));
    var options = new NodeOptions([ClusterRoles.Coordinator, ClusterRoles.Worker], "127.0.0.1", 0, null, [], slots, store, TimeSpan.FromHours(1), executor);
    await using var node = await ClusterNode.StartAsync(options, TimeSpan.FromSeconds(60));
    var trials = specs.Select(s => new TrialDefinition(TrialJson.StableId(s), TrialJson.Serialize(s))).ToList();
    onSubmit?.Invoke();
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

async Task Overhead(int count, int slots)
{
    // Trials of a fixed training cost: synthetic data, 2-layer width 256, 3000 full-batch gd steps
    // (about 1.3 s each here), checkpoint every 100 steps.
    var specs = Enumerable.Range(0, count).Select(seed => Spec(seed, 3000, 256, 100, lr: 0.001)).ToList();
    TorchRuntime.UseThreads(1);
    var solo = TimeSpan.Zero;
    foreach (var spec in specs)
    {
        var clock = Stopwatch.StartNew();
        new EngineTrialExecutor().Execute(spec, null, new Discard(), TimeSpan.FromHours(1), CancellationToken.None);
        solo += clock.Elapsed;
    }
    var ideal = solo / slots;
    // The peer without the cluster: the same trials on `slots` plain threads taking from one queue.
    var queue = new System.Collections.Concurrent.ConcurrentQueue<TrialSpec>(specs);
    var plainClock = Stopwatch.StartNew();
    var threads = Enumerable.Range(0, slots).Select(_ => new Thread(() =>
    {
        TorchRuntime.UseThreads(1);
        while (queue.TryDequeue(out var spec))
        {
            new EngineTrialExecutor().Execute(spec, null, new Discard(), TimeSpan.FromHours(1), CancellationToken.None);
        }
    })).ToList();
    threads.ForEach(t => t.Start());
    threads.ForEach(t => t.Join());
    var plain = plainClock.Elapsed;
    var timed = new TimedExecutor(new EngineTrialExecutor());
    var (wall, status) = await RunStudy("overhead", specs, slots, timed, timed.Reset);
    Console.WriteLine($"overhead: inside the cluster, training took {timed.Total.TotalSeconds / count:F2} s per trial; first trial started {timed.FirstStart.TotalSeconds:F2} s after the study was submitted");
    Console.WriteLine($"overhead: {count} trials, mean solo time {solo.TotalSeconds / count:F2} s, {slots} slots: ideal {ideal.TotalSeconds:F2} s, sweep wall {wall.TotalSeconds:F2} s, " +
        $"wall/ideal = {wall / ideal:F3} ({(wall / ideal - 1) * 100:F1}% over); completed {status.Completed}/{status.Total}, diverged {status.Diverged}");
    Console.WriteLine($"overhead: the same trials on {slots} plain threads without the cluster: wall {plain.TotalSeconds:F2} s = {plain / ideal:F3} x the ideal; the cluster's wall is {wall / plain:F3} x that");
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
    var (wall, status) = await RunStudy("turnover", specs, turnoverSlots, new EngineTrialExecutor());
    Console.WriteLine($"turnover: {status.Completed} trivial trials (3 steps, 4 checkpoints each) completed and persisted in {wall.TotalSeconds:F2} s = {status.Completed / wall.TotalSeconds:F0} trials/s");
}

internal sealed class Discard : ITrialObserver
{
    public void OnCheckpoint(Checkpoint checkpoint)
    {
    }

    public void OnState(TrainingState state)
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

    public void Reset() => _sinceCreated.Restart();

    public TrialOutcome Execute(TrialSpec spec, TrainingState? resumeFrom, ITrialObserver observer, TimeSpan saveStateInterval, CancellationToken cancellation)
    {
        Interlocked.CompareExchange(ref _firstStart, _sinceCreated.Elapsed.Ticks, -1);
        var clock = Stopwatch.StartNew();
        var outcome = inner.Execute(spec, resumeFrom, observer, saveStateInterval, cancellation);
        Interlocked.Add(ref _ticks, clock.Elapsed.Ticks);
        return outcome;
    }
}

internal sealed class CheckpointFlood : ITrialExecutor
{
    public TrialOutcome Execute(TrialSpec spec, TrainingState? resumeFrom, ITrialObserver observer, TimeSpan saveStateInterval, CancellationToken cancellation)
    {
        var checkpoint = new Checkpoint(0, 1, 1, null, 1, 1, 1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0);
        for (long step = 0; step <= spec.Steps; step++)
        {
            observer.OnCheckpoint(checkpoint with { Step = step });
        }
        return new TrialOutcome(TrialEnd.Completed, spec.Steps, checkpoint with { Step = spec.Steps }, 0, null);
    }
}
