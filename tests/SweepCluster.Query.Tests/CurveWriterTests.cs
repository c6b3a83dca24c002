using Parquet;
using Parquet.Schema;
using SweepCluster.Query.Curves;
using SweepCluster.Trials;

namespace SweepCluster.Query.Tests;

public sealed class CurveWriterTests : IDisposable
{
    private readonly StudyEvents _events = new();

    public void Dispose() => _events.Dispose();

    private async Task<(CurvesQuery Query, IReadOnlyList<string> Keys, IReadOnlyList<bool> Numeric, Dictionary<string, IReadOnlyList<Results.ParameterValue>> Trials)> Study()
    {
        _events.Study("s",
            (StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 0), [StudyEvents.Checkpoint(0, 0.5), StudyEvents.Checkpoint(10, 1)]),
            (StudyEvents.Spec(AlgorithmKind.Adam, 0.01, 1), [StudyEvents.Checkpoint(0, 0.25), StudyEvents.Checkpoint(10, 2), StudyEvents.Checkpoint(20, 3)]));
        await _events.ProjectAsync();
        var query = new CurvesQuery(_events.Reader);
        var (keys, numeric, trials) = await query.SelectAsync("s", [], []);
        return (query, keys, numeric, trials);
    }

    [Fact]
    public async Task Parquet_holds_every_checkpoint_with_the_engine_names()
    {
        var (query, keys, numeric, trials) = await Study();
        using var stream = new MemoryStream();
        await using (var writer = new ParquetCurveWriter(stream, keys, numeric))
        {
            Assert.Equal(5, await query.WriteAsync("s", trials, writer));
        }

        stream.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(stream);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["trial_id", "algorithm", "lr", "seed", "adam.beta1", "adam.beta2", "adam.eps", "state"], fields.Take(8).Select(f => f.Name));
        Assert.Equal(["step", "loss", "train_accuracy"], fields.Skip(8).Take(3).Select(f => f.Name));
        using var group = reader.OpenRowGroupReader(0);
        Assert.Equal(5, group.RowCount);
        var steps = new long[5];
        await group.ReadAsync<long>(fields.Single(f => f.Name == "step"), steps.AsMemory());
        var margins = await Nullable(group, fields, "margin_l2");
        var eps = await Nullable(group, fields, "adam.eps");
        var ids = new string?[5];
        await group.ReadAsync(fields.Single(f => f.Name == "trial_id"), ids.AsMemory());
        var gd = TrialJson.StableId(StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 0));
        var rows = Enumerable.Range(0, 5).Select(i => (ids[i] == gd ? "gd" : "adam", steps[i], margins[i], eps[i])).OrderBy(r => r.Item1).ThenBy(r => r.Item2).ToList();
        Assert.Equal([("adam", 0L, (double?)0.25, (double?)0.0), ("adam", 10, 2, 0.0), ("adam", 20, 3, 0.0), ("gd", 0, 0.5, null), ("gd", 10, 1, null)], rows);
        var smoothed = await Nullable(group, fields, "smoothed_margin_l2");
        Assert.All(smoothed, Assert.Null);
    }

    private static async Task<double?[]> Nullable(ParquetRowGroupReader group, DataField[] fields, string name)
    {
        var values = new double?[group.RowCount];
        await group.ReadAsync<double>(fields.Single(f => f.Name == name), values.AsMemory());
        return values;
    }

    [Fact]
    public async Task Csv_has_a_header_and_one_line_per_checkpoint_with_empty_cells_for_missing_values()
    {
        var (query, keys, _, trials) = await Study();
        await using var text = new StringWriter();
        await query.WriteAsync("s", trials, new CsvCurveWriter(text, keys));

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("trial_id,algorithm,lr,seed,adam.beta1,adam.beta2,adam.eps,state,step,loss,", lines[0]);
        Assert.Contains(lines, l => string.Join(',', l.Split(',').Skip(1).Take(8)) == "gd,0.1,0,,,,completed,0");
        Assert.Contains(lines, l => string.Join(',', l.Split(',').Skip(1).Take(8)) == "adam,0.01,1,0.9,0.999,0,completed,20");
    }
}
