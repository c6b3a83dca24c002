using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Data;

/// <summary>
/// A training split and an optional test split as tensors. Binary problems (Classes == 2) keep labels as
/// +1/-1 floats and the network has one output; problems with K > 2 classes keep class indices and the
/// network has K outputs.
/// </summary>
public sealed class LoadedDataset : IDisposable
{
    public LoadedDataset(Tensor trainX, Tensor trainLabels, Tensor? testX, Tensor? testLabels, int classes)
    {
        TrainX = trainX;
        TrainLabels = trainLabels;
        TestX = testX;
        TestLabels = testLabels;
        Classes = classes;
    }

    /// <summary>Builds a dataset from class indices 0..K-1; two classes become labels +1 (class 0) and -1 (class 1).</summary>
    public static LoadedDataset FromClassIndices(float[] trainX, long[] trainClasses, float[]? testX, long[]? testClasses, int dim, int classes)
    {
        return new LoadedDataset(
            Features(trainX, dim), Labels(trainClasses, classes),
            testX is null ? null : Features(testX, dim), testClasses is null ? null : Labels(testClasses, classes),
            classes);
    }

    private static Tensor Features(float[] values, int dim) => tensor(values, [values.Length / dim, dim], ScalarType.Float32);

    private static Tensor Labels(long[] classIndices, int classes) => classes == 2
        ? tensor(classIndices.Select(c => c == 0 ? 1f : -1f).ToArray(), ScalarType.Float32)
        : tensor(classIndices, ScalarType.Int64);

    public Tensor TrainX { get; }

    /// <summary>+1/-1 floats for binary problems, int64 class indices otherwise.</summary>
    public Tensor TrainLabels { get; }

    public Tensor? TestX { get; }

    public Tensor? TestLabels { get; }

    public int Classes { get; }

    public bool IsBinary => Classes == 2;

    public int Outputs => IsBinary ? 1 : Classes;

    public int Dim => (int)TrainX.shape[1];

    public int TrainCount => (int)TrainX.shape[0];

    public void Dispose()
    {
        TrainX.Dispose();
        TrainLabels.Dispose();
        TestX?.Dispose();
        TestLabels?.Dispose();
    }
}
