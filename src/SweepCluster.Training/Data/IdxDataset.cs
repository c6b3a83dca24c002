using SweepCluster.Trials;

namespace SweepCluster.Training.Data;

/// <summary>MNIST or Fashion-MNIST: the chosen classes, a seeded subsample, pixels scaled to [0, 1].</summary>
internal static class IdxDataset
{
    public static LoadedDataset Load(IdxDatasetSpec spec, DataRoots roots)
    {
        var (trainX, trainY, dim) = Split(spec, roots, "train", spec.Train, spec.Seed);
        (float[]? testX, long[]? testY) = (null, null);
        if (spec.Test > 0)
        {
            (testX, testY, _) = Split(spec, roots, "t10k", spec.Test, spec.Seed + 1);
        }
        return LoadedDataset.FromClassIndices(trainX, trainY, testX, testY, dim, spec.Classes.Count);
    }

    /// <summary>Checks that the files exist and hold the chosen classes, without keeping the images.</summary>
    public static void Check(IdxDatasetSpec spec, DataRoots roots)
    {
        var labelsPath = Find(spec, roots, "train", "labels", 1);
        CheckClasses(labelsPath, IdxFiles.ReadLabels(labelsPath), spec.Classes);
    }

    /// <summary>A file of the dataset's folder, itself checked against the roots: a link inside the folder must not lead out of them.</summary>
    private static string Find(IdxDatasetSpec spec, DataRoots roots, string prefix, string kind, int rank) =>
        roots.Locate(IdxFiles.Find(roots.Locate(spec.Path), prefix, kind, rank));

    private static (float[] X, long[] Classes, int Dim) Split(IdxDatasetSpec spec, DataRoots roots, string prefix, int count, int seed)
    {
        var labelsPath = Find(spec, roots, prefix, "labels", 1);
        var imagesPath = Find(spec, roots, prefix, "images", 3);
        var labels = IdxFiles.ReadLabels(labelsPath);
        CheckClasses(labelsPath, labels, spec.Classes);
        var images = IdxFiles.ReadImages(imagesPath);
        if (images.Count != labels.Length)
        {
            throw new DatasetException(imagesPath, $"holds {images.Count} images but {labelsPath} holds {labels.Length} labels");
        }

        var classIndex = new Dictionary<byte, int>();
        for (var i = 0; i < spec.Classes.Count; i++)
        {
            classIndex[(byte)spec.Classes[i]] = i;
        }
        var candidates = Enumerable.Range(0, labels.Length).Where(i => classIndex.ContainsKey(labels[i])).ToArray();
        if (candidates.Length < count)
        {
            throw new DatasetException(labelsPath, $"holds only {candidates.Length} points of classes [{string.Join(", ", spec.Classes)}], {count} requested");
        }
        // Fisher-Yates with a seeded generator whose sequence .NET keeps stable for a given seed.
        var random = new Random(seed);
        for (var i = candidates.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (candidates[i], candidates[j]) = (candidates[j], candidates[i]);
        }
        var chosen = candidates.AsSpan(0, count).ToArray();
        Array.Sort(chosen);

        var dim = images.Rows * images.Columns;
        var x = new float[count * dim];
        var y = new long[count];
        for (var k = 0; k < count; k++)
        {
            var source = images.Pixels.AsSpan(chosen[k] * dim, dim);
            var target = x.AsSpan(k * dim, dim);
            for (var p = 0; p < dim; p++)
            {
                target[p] = source[p] / 255f;
            }
            y[k] = classIndex[labels[chosen[k]]];
        }
        return (x, y, dim);
    }

    private static void CheckClasses(string labelsPath, byte[] labels, IReadOnlyList<int> classes)
    {
        var present = labels.Distinct().Select(b => (int)b).ToHashSet();
        var missing = classes.Where(c => !present.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new DatasetException(labelsPath, $"has no points of class {string.Join(", ", missing)} (present: {string.Join(", ", present.Order())})");
        }
    }
}
