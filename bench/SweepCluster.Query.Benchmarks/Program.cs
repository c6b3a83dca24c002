using System.Diagnostics;
using System.Globalization;
using SweepCluster.Cluster;
using SweepCluster.Cluster.Hosting;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Storage;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Cluster.Work;
using SweepCluster.Query.Curves;
using SweepCluster.Query.Projection;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;
using SweepCluster.Trials;

// dotnet SweepCluster.Query.Benchmarks.dll fill STORE.db [trials] [checkpoints]   (through the cluster, as a sweep writes it)
// dotnet SweepCluster.Query.Benchmarks.dll query STORE.db [rounds]
// dotnet SweepCluster.Query.Benchmarks.dll process STORE.db SWEEPCLUSTER [rounds]   (the commands as a user runs them)
if (args.Length < 2 || args[0] is not ("fill" or "query" or "process") || (args[0] == "process" && args.Length < 3))
{
    Console.Error.WriteLine("usage: fill STORE.db [trials=10000] [checkpoints=100] | query STORE.db [rounds=5] | process STORE.db SWEEPCLUSTER [rounds=9]");
    return 2;
}
var store = StoreOptions.Sqlite(Path.GetFullPath(args[1]));
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
if (args[0] == "fill")
{
    await Fill(Arg(2, 10_000), Arg(3, 100));
}
else if (args[0] == "query")
{
    await Query(Arg(2, 5));
}
else
{
    await CommandProcesses(args[2], Arg(3, 9));
}
return 0;

async Task Fill(int trials, int checkpoints)
{
    // A grid like a real study's: 4 algorithms x 5 learning rates x 5 widths x seeds.
    AlgorithmKind[] algorithms = [AlgorithmKind.Gd, AlgorithmKind.Sign, AlgorithmKind.Coordinate, AlgorithmKind.Adam];
    double[] lrs = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2];
    int[] widths = [16, 32, 64, 128, 256];
    var seeds = (int)Math.Ceiling(trials / 100.0);
    var specs = (from a in algorithms from lr in lrs from w in widths from seed in Enumerable.Range(0, seeds) select Spec(a, lr, w, seed, checkpoints)).Take(trials).ToList();
    var options = new NodeOptions([ClusterRoles.Coordinator, ClusterRoles.Worker], "127.0.0.1", 0, null, [], 2, store, TimeSpan.FromHours(1), new SyntheticCurves());
    await using var node = await ClusterNode.StartAsync(options, TimeSpan.FromSeconds(60), LiveProjection.On(store));
    var clock = Stopwatch.StartNew();
    await node.AskAsync(new StartStudy("bench", "synthetic curves for the read-side benchmark", 0,
        specs.Select(s => new TrialDefinition(TrialJson.StableId(s), TrialJson.Serialize(s))).ToList()), TimeSpan.FromMinutes(5));
    // The progress summary, not the status: its size does not grow with the study (a 100,000-trial status is slow to build and to carry).
    StudyProgress? progress = null;
    while (progress is not { IsSettled: true })
    {
        await Task.Delay(5000);
        try
        {
            progress = (StudyProgress)await node.AskAsync(new GetStudyProgress("bench"), TimeSpan.FromMinutes(1));
        }
        catch (Akka.Actor.AskTimeoutException)
        {
            // A coordinator recovering a study of millions of events answers once it has replayed them.
            Console.WriteLine($"fill: the coordinator did not answer within a minute ({clock.Elapsed.TotalMinutes:F0} min in); asking again");
        }
    }
    var journaled = clock.Elapsed;
    await ReadModelSync.EnsureCurrentAsync(store);
    Console.WriteLine($"fill: {progress.Completed} trials, {progress.Completed * (long)checkpoints:N0} checkpoints journaled through the cluster in {journaled.TotalSeconds:F1} s; read model current after {clock.Elapsed.TotalSeconds:F1} s");
}

async Task Query(int rounds)
{
    var reader = new ReadModelReader(store);
    var results = new List<double>();
    var resultsAtStep = new List<double>();
    var parquet = new List<double>();
    var sync = new List<double>();
    long rows = 0;
    var output = Path.Combine(Path.GetDirectoryName(store.Display)!, "bench-curves.parquet");
    for (var round = 0; round < rounds; round++)
    {
        var clock = Stopwatch.StartNew();
        await ReadModelSync.EnsureCurrentAsync(store);
        sync.Add(clock.Elapsed.TotalSeconds);

        clock.Restart();
        var table = await new ResultsQuery(reader).RunAsync(new ResultsRequest("bench", new CheckpointAt.Last(), null, ResultsQuery.DefaultMetrics, [], null));
        results.Add(clock.Elapsed.TotalSeconds);
        if (round == 0)
        {
            Console.WriteLine($"results: {table.Groups.Count} groups by {string.Join(",", table.GroupBy)}, {table.Groups.Sum(g => g.Trials)} trials");
        }

        clock.Restart();
        await new ResultsQuery(reader).RunAsync(new ResultsRequest("bench", new CheckpointAt.AtStep(50), null, ResultsQuery.DefaultMetrics, [], null));
        resultsAtStep.Add(clock.Elapsed.TotalSeconds);

        clock.Restart();
        var curves = new CurvesQuery(reader);
        var (keys, numeric, trials) = await curves.SelectAsync("bench", [], []);
        await using (var file = File.Create(output))
        await using (var writer = new ParquetCurveWriter(file, keys, numeric))
        {
            rows = await curves.WriteAsync("bench", trials, writer);
        }
        parquet.Add(clock.Elapsed.TotalSeconds);
    }
    static string Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2).ToString("F3", CultureInfo.InvariantCulture);
    Console.WriteLine($"freshness check (read model vs journal): median {Median(sync)} s");
    Console.WriteLine($"results --at final: median {Median(results)} s over {rounds} rounds");
    Console.WriteLine($"results --at step=50: median {Median(resultsAtStep)} s");
    Console.WriteLine($"curves to Parquet: {rows:N0} rows, {new FileInfo(output).Length / 1e6:F1} MB, median {Median(parquet)} s");
    File.Delete(output);
}

async Task CommandProcesses(string sweepcluster, int rounds)
{
    // Whole processes, start-up included, interleaved so that the machine's noise falls on each alike;
    // `status` (one small query) is the peer that shows what start-up alone costs.
    var output = Path.Combine(Path.GetDirectoryName(store.Display)!, "bench-curves.parquet");
    (string Name, string[] Args)[] commands =
    [
        ("status", ["status", "--store", store.Display]),
        ("results", ["results", "bench", "--store", store.Display, "--format", "csv"]),
        ("curves to Parquet", ["curves", "bench", "--store", store.Display, "--out", output]),
    ];
    var seconds = commands.ToDictionary(c => c.Name, _ => new List<double>());
    for (var round = 0; round < rounds; round++)
    {
        foreach (var (name, arguments) in commands)
        {
            var start = new ProcessStartInfo(sweepcluster) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var drain = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            var errors = await process.StandardError.ReadToEndAsync();
            await drain;
            await process.WaitForExitAsync();
            seconds[name].Add(clock.Elapsed.TotalSeconds);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"sweepcluster {string.Join(' ', arguments)} exited {process.ExitCode}: {errors}");
            }
        }
    }
    static string F(double x) => x.ToString("F2", CultureInfo.InvariantCulture);
    foreach (var (name, xs) in seconds)
    {
        var sorted = xs.Order().ToList();
        Console.WriteLine($"sweepcluster {name}: median {F(sorted[sorted.Count / 2])} s, min {F(sorted[0])}, max {F(sorted[^1])} over {rounds} processes");
    }
    File.Delete(output);
}

static TrialSpec Spec(AlgorithmKind algorithm, double lr, int width, int seed, int checkpoints) => new(
    new SyntheticDatasetSpec(100, 20, 0.1, 0, 0), new ModelSpec(2, width, InitKind.Normal, 0.1), LossKind.Exponential, Reduction.Sum,
    algorithm, lr, StepForm.Dual, LrSchedule.Constant, null, algorithm == AlgorithmKind.Adam ? new AdamSpec(0.9, 0.999, 0) : null, null,
    (checkpoints - 1) * 10, 10, new StopSpec(0, null), seed, 1, algorithm == AlgorithmKind.Coordinate ? false : null);

/// <summary>Curves with the shape of real ones (margins rising to a plateau that depends on the configuration), made without training.</summary>
internal sealed class SyntheticCurves : ITrialExecutor
{
    public TrialOutcome Execute(TrialSpec spec, byte[]? resumeFrom, ITrialProgress observer, TimeSpan saveStateInterval, CancellationToken cancellation)
    {
        var plateau = (1 + (int)spec.Algorithm) * Math.Log10(1 / spec.Lr) * (1 + spec.Model.Width / 256.0) * (1 + 0.01 * (spec.Seed % 7));
        Checkpoint? last = null;
        for (long step = 0; step <= spec.Steps; step += spec.CheckpointEvery)
        {
            var rise = 1 - Math.Exp(-step / 200.0);
            var m = plateau * rise - 0.1;
            last = new Checkpoint(step, Math.Exp(-10 * rise), rise > 0.3 ? 1 : 0.8, null, 100 + step, 10 + step / 10.0, 1 + step / 100.0,
                m / 1000, m / 10, m, m / 1100, m / 11, m * 0.9, step * 0.5);
            observer.OnCheckpoint(last);
        }
        return new TrialOutcome(TrialEnd.Completed, spec.Steps, last, 100, null);
    }
}
