using SweepCluster.Protocol;
using SweepCluster.Cluster.Storage;
using SweepCluster.Query.ReadModel;
using SweepCluster.Trials;

namespace SweepCluster.Query.Tests;

/// <summary>Builds a study's events the way its coordinator writes them, and a read model on a temporary SQLite file.</summary>
internal sealed class StudyEvents : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-query-").FullName;
    private long _offset;

    public StudyEvents()
    {
        Store = StoreOptions.Sqlite(Path.Combine(_folder, "store.db"));
        StoreConnections.Prepare(Store);
        Writer = new ReadModelWriter(Store);
        Reader = new ReadModelReader(Store);
    }

    public StoreOptions Store { get; }

    public ReadModelWriter Writer { get; }

    public ReadModelReader Reader { get; }

    public List<ProjectedEvent> Events { get; } = [];

    public static TrialSpec Spec(AlgorithmKind algorithm, double lr, int seed, int width = 8) => new(
        new SyntheticDatasetSpec(30, 5, 0.3, 1, 0), new ModelSpec(2, width, InitKind.Normal, 0.1), LossKind.Exponential, Reduction.Sum,
        algorithm, lr, StepForm.Dual, LrSchedule.Constant, null, algorithm == AlgorithmKind.Adam ? new AdamSpec(0.9, 0.999, 0) : null,
        null, 100, 10, new StopSpec(0, null), seed, 1);

    public static Checkpoint Checkpoint(long step, double marginL2, double accuracy = 1) =>
        new(step, 1.0 / (step + 1), accuracy, null, 1, 1, 1, marginL2 / 10, marginL2, marginL2 * 10, null, null, null, step);

    public StudyEvents Add(string study, IStudyEvent e)
    {
        Events.Add(new ProjectedEvent(++_offset, study, e));
        return this;
    }

    /// <summary>A study with these trials, each run to completion with the given checkpoints.</summary>
    public StudyEvents Study(string study, params (TrialSpec Spec, Checkpoint[] Checkpoints)[] trials)
    {
        Add(study, new StudyCreated(study, "test", 2, At));
        var definitions = trials.Select(t => new TrialDefinition(TrialJson.StableId(t.Spec), TrialJson.Serialize(t.Spec))).ToList();
        Add(study, new TrialsAdded(definitions, At));
        for (var i = 0; i < trials.Length; i++)
        {
            var id = definitions[i].TrialId;
            Add(study, new TrialAssigned(id, 1, "node", null, At));
            Add(study, new CheckpointsRecorded(id, 1, 0, trials[i].Checkpoints));
            var last = trials[i].Checkpoints[^1];
            Add(study, new TrialCompleted(id, 1, TrialEnd.Completed, last.Step, null, last, null, At));
        }
        return Add(study, new StudyFinished(At));
    }

    public async Task<long> ProjectAsync(int batchSize = 3)
    {
        var offset = await Writer.StoredOffsetAsync();
        foreach (var batch in Events.Chunk(batchSize))
        {
            offset = await Writer.ApplyAsync(batch, offset);
        }
        return offset;
    }

    public static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }
        return list;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
