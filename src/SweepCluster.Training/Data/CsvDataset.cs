using System.Globalization;
using SweepCluster.Trials;

namespace SweepCluster.Training.Data;

/// <summary>
/// A user's CSV: one point a row, feature columns then the label. Labels +1/-1 make a binary problem;
/// class indices 0..K-1 make a K-class one (K = 2 is binary, class 0 is +1). A first row that is not
/// numeric is a header; blank lines and lines starting with # are skipped.
/// </summary>
internal static class CsvDataset
{
    public static LoadedDataset Load(CsvDatasetSpec spec, DataRoots roots)
    {
        var train = Read(roots.Locate(spec.Path), expectedWidth: null);
        var test = spec.TestPath is null ? null : Read(roots.Locate(spec.TestPath), train.Width);
        var signs = train.Labels.Concat(test?.Labels ?? []).All(l => l is 1 or -1) && train.Labels.Contains(-1);
        var classes = signs ? 2 : ClassCount(spec.Path, train, test);
        long[] ToClasses(Table table) => table.Labels.Select(l => signs ? (l == 1 ? 0L : 1L) : (long)l).ToArray();
        return LoadedDataset.FromClassIndices(
            train.Features.ToArray(), ToClasses(train),
            test?.Features.ToArray(), test is null ? null : ToClasses(test),
            train.Width - 1, classes);
    }

    private sealed record Table(string Path, int Width, List<float> Features, List<double> Labels, List<int> LabelLines);

    private static int ClassCount(string path, Table train, Table? test)
    {
        foreach (var table in test is null ? new[] { train } : [train, test])
        {
            for (var i = 0; i < table.Labels.Count; i++)
            {
                var label = table.Labels[i];
                if (label < 0 || label != Math.Floor(label))
                {
                    throw new DatasetException(table.Path, $"line {table.LabelLines[i]}: the label (last column) is neither +1/-1 nor a class index 0, 1, 2, ...");
                }
            }
        }
        var classes = (int)train.Labels.Concat(test?.Labels ?? []).Max() + 1;
        if (classes < 2)
        {
            throw new DatasetException(path, "needs at least two classes");
        }
        return classes;
    }

    private static Table Read(string path, int? expectedWidth)
    {
        var table = new Table(path, expectedWidth ?? 0, [], [], []);
        var width = expectedWidth;
        var lineNumber = 0;
        var sawData = false;
        var maxValues = InputLimits.Current.MaxDataValues;
        foreach (var raw in DatasetFiles.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var cells = line.Split(',');
            var values = new double[cells.Length];
            var numeric = true;
            var column = 0;
            for (; column < cells.Length && numeric; column++)
            {
                numeric = double.TryParse(cells[column].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[column]) && double.IsFinite(values[column]);
            }
            if (!numeric)
            {
                if (!sawData && width is null)
                {
                    sawData = true;
                    width = cells.Length;
                    continue; // header row
                }
                // The position only: the file may not be the user's, and its content must not travel in an error.
                throw new DatasetException(path, $"line {lineNumber}, column {column}: not a finite number");
            }
            sawData = true;
            width ??= cells.Length;
            if (cells.Length != width)
            {
                throw new DatasetException(path, $"line {lineNumber}: row has {cells.Length} columns, expected {width}");
            }
            if (cells.Length < 2)
            {
                throw new DatasetException(path, $"line {lineNumber}: needs at least one feature column and a label column");
            }
            if (table.Features.Count + cells.Length > maxValues)
            {
                throw new DatasetException(path, $"line {lineNumber}: the file holds more than {maxValues:N0} values (SWEEPCLUSTER_MAX_DATA_VALUES)");
            }
            for (var c = 0; c < cells.Length - 1; c++)
            {
                table.Features.Add((float)values[c]);
            }
            table.Labels.Add(values[^1]);
            table.LabelLines.Add(lineNumber);
        }
        if (table.Labels.Count == 0)
        {
            throw new DatasetException(path, "has no data rows");
        }
        return table with { Width = width!.Value };
    }
}
