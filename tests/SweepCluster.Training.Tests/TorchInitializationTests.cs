using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Tests;

public sealed class TorchInitializationTests
{
    [Fact]
    public void Torch_loads_creates_tensors_and_runs_backward()
    {
        // Fails on Debian 12 unless the build marked libLibTorchSharp's GLIBCXX_3.4.32 requirement weak.
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3 }).requires_grad_();
        var y = (x * x).sum();
        y.backward();
        Assert.Equal(new float[] { 2, 4, 6 }, x.grad!.data<float>().ToArray());
    }
}
