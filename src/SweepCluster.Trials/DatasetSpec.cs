using System.Text.Json.Serialization;

namespace SweepCluster.Trials;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(SyntheticDatasetSpec), "synthetic")]
[JsonDerivedType(typeof(TeacherDatasetSpec), "teacher")]
[JsonDerivedType(typeof(SparseTeacherDatasetSpec), "sparse-teacher")]
[JsonDerivedType(typeof(IdxDatasetSpec), "idx")]
[JsonDerivedType(typeof(CsvDatasetSpec), "csv")]
public abstract record DatasetSpec;

/// <summary>Linearly separable Gaussian points whose distance to a random hyperplane through the origin is at least <see cref="Margin"/>.</summary>
public sealed record SyntheticDatasetSpec(int N, int Dim, double Margin, int Seed, int Test) : DatasetSpec;

/// <summary>Gaussian points labelled by a random bias-free two-layer ReLU teacher of the given width.</summary>
public sealed record TeacherDatasetSpec(int N, int Dim, int Width, int Seed, int Test) : DatasetSpec;

/// <summary>
/// Gaussian points labelled by a sparse linear teacher: <see cref="Nonzeros"/> of its <see cref="Dim"/> weights
/// are +1 or -1, the rest 0, and every point is pushed <see cref="Margin"/> away from its hyperplane along its
/// unit normal. The maximum-margin separators in l1, l2 and l-infinity then point in clearly different
/// directions (l1 towards the sparse teacher, l-infinity towards a dense sign vector), which tells the
/// flavors of steepest descent apart on a linear model.
/// </summary>
public sealed record SparseTeacherDatasetSpec(int N, int Dim, int Nonzeros, double Margin, int Seed, int Test) : DatasetSpec;

/// <summary>MNIST-format IDX files (raw or .gz) in a folder; a deterministic subsample of the chosen classes.</summary>
public sealed record IdxDatasetSpec(string Path, IReadOnlyList<int> Classes, int Train, int Test, int Seed) : DatasetSpec
{
    public const string DefaultPath = "/usr/share/datasets/fashion-mnist";

    public bool Equals(IdxDatasetSpec? other) =>
        other is not null && Path == other.Path && Classes.SequenceEqual(other.Classes)
        && Train == other.Train && Test == other.Test && Seed == other.Seed;

    public override int GetHashCode() => HashCode.Combine(Path, Classes.Count, Train, Test, Seed);
}

/// <summary>A user's own CSV: feature columns then a label column (+1/-1, or class indices 0..K-1).</summary>
public sealed record CsvDatasetSpec(string Path, string? TestPath) : DatasetSpec;
