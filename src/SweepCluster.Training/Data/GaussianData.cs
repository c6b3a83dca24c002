using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Data;

/// <summary>The two generated datasets: points from a standard Gaussian, labelled by a hidden rule.</summary>
internal static class GaussianData
{
    /// <summary>
    /// Labels are the side of a random unit hyperplane w through the origin; every point is then pushed
    /// away from it by <c>margin</c> along w, so the l2 margin of w on the data is at least <c>margin</c>.
    /// </summary>
    public static LoadedDataset Synthetic(SyntheticDatasetSpec spec)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)spec.Seed);
        using var margin = ((float)spec.Margin).ToScalar();
        var w = randn([spec.Dim], generator: generator);
        w.div_(w.norm());
        (Tensor X, Tensor y) Draw(int count)
        {
            var x = randn([count, spec.Dim], generator: generator);
            var side = x.matmul(w);
            var y = where(side.ge(HeldScalars.Zero), 1f, -1f);
            x.add_(y.unsqueeze(1).mul(w.unsqueeze(0)).mul_(margin), HeldScalars.One);
            return (x, y);
        }
        var (trainX, trainY) = Draw(spec.N);
        var (testX, testY) = spec.Test > 0 ? Draw(spec.Test) : (null, null);
        return Keep(new LoadedDataset(trainX, trainY, testX, testY, classes: 2));
    }

    /// <summary>Labels are the sign of a random bias-free teacher a·relu(Wx) of the given width.</summary>
    public static LoadedDataset Teacher(TeacherDatasetSpec spec)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)spec.Seed);
        var hidden = randn([spec.Width, spec.Dim], generator: generator);
        var outer = randn([spec.Width], generator: generator);
        (Tensor X, Tensor y) Draw(int count)
        {
            var x = randn([count, spec.Dim], generator: generator);
            var f = nn.functional.relu(x.matmul(hidden.t())).matmul(outer);
            return (x, where(f >= 0, 1f, -1f));
        }
        var (trainX, trainY) = Draw(spec.N);
        var (testX, testY) = spec.Test > 0 ? Draw(spec.Test) : (null, null);
        return Keep(new LoadedDataset(trainX, trainY, testX, testY, classes: 2));
    }

    /// <summary>
    /// A teacher w with <c>nonzeros</c> entries of +1 or -1 at random places; labels are the side of w's
    /// hyperplane, and every point is pushed <c>margin</c> away from it along w / ||w||_2.
    /// </summary>
    public static LoadedDataset SparseTeacher(SparseTeacherDatasetSpec spec)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)spec.Seed);
        using var margin = ((float)spec.Margin).ToScalar();
        var places = randperm(spec.Dim, generator: generator).narrow(0, 0, spec.Nonzeros);
        var signs = randint(0, 2, [spec.Nonzeros], generator: generator).to(ScalarType.Float32).mul_(2).sub_(HeldScalars.One);
        var w = zeros(spec.Dim).index_put_(signs, places);
        var unit = w.div(w.norm());
        (Tensor X, Tensor y) Draw(int count)
        {
            var x = randn([count, spec.Dim], generator: generator);
            var y = where(x.matmul(w).ge(HeldScalars.Zero), 1f, -1f);
            x.add_(y.unsqueeze(1).mul(unit.unsqueeze(0)).mul_(margin), HeldScalars.One);
            return (x, y);
        }
        var (trainX, trainY) = Draw(spec.N);
        var (testX, testY) = spec.Test > 0 ? Draw(spec.Test) : (null, null);
        return Keep(new LoadedDataset(trainX, trainY, testX, testY, classes: 2));
    }

    private static LoadedDataset Keep(LoadedDataset data)
    {
        data.TrainX.MoveToOuterDisposeScope();
        data.TrainLabels.MoveToOuterDisposeScope();
        data.TestX?.MoveToOuterDisposeScope();
        data.TestLabels?.MoveToOuterDisposeScope();
        return data;
    }
}
