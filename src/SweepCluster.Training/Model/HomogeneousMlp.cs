using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training.Model;

/// <summary>
/// A bias-free ReLU MLP, f(x) = W_L relu(... relu(W_1 x)), which is L-homogeneous in its parameters:
/// f(c theta; x) = c^L f(theta; x). All parameters live in one flat float32 vector <see cref="Theta"/>
/// (the layers are views into it) because every algorithm here takes norms, signs and arg-maxes over the
/// whole network as one vector. Backpropagation is written out by hand: it writes each layer's gradient
/// straight into the matching slice of one flat gradient buffer, with no autograd graph over the big
/// matrices.
/// </summary>
public sealed class HomogeneousMlp : IDisposable
{
    private readonly Tensor[] _weights;
    private readonly Tensor[] _gradients;

    public HomogeneousMlp(ModelSpec spec, int inputs, int outputs)
    {
        Depth = spec.Depth;
        Shapes = LayerShapes(spec, inputs, outputs);
        var count = Shapes.Sum(s => s.Rows * s.Columns);
        Theta = zeros(count, ScalarType.Float32);
        Gradient = zeros(count, ScalarType.Float32);
        _weights = Views(Theta);
        _gradients = Views(Gradient);
    }

    public int Depth { get; }

    public IReadOnlyList<(long Rows, long Columns)> Shapes { get; }

    /// <summary>Every parameter of the network as one vector.</summary>
    public Tensor Theta { get; }

    /// <summary>The gradient written by the last <see cref="Backward"/>, laid out like <see cref="Theta"/>.</summary>
    public Tensor Gradient { get; }

    public IReadOnlyList<Tensor> Weights => _weights;

    public long ParameterCount => Theta.shape[0];

    private static (long Rows, long Columns)[] LayerShapes(ModelSpec spec, int inputs, int outputs)
    {
        var shapes = new (long, long)[spec.Depth];
        for (var l = 0; l < spec.Depth; l++)
        {
            long fanIn = l == 0 ? inputs : spec.Width;
            long fanOut = l == spec.Depth - 1 ? outputs : spec.Width;
            shapes[l] = (fanOut, fanIn);
        }
        return shapes;
    }

    private Tensor[] Views(Tensor flat)
    {
        var views = new Tensor[Shapes.Count];
        long offset = 0;
        for (var l = 0; l < Shapes.Count; l++)
        {
            var (rows, columns) = Shapes[l];
            views[l] = flat.narrow(0, offset, rows * columns).view(rows, columns);
            offset += rows * columns;
        }
        return views;
    }

    /// <summary>Where coordinate i of <see cref="Theta"/> sits: "coordinate i (layer l, row r, column c)", layers from 1.</summary>
    public string Describe(long i)
    {
        var offset = 0L;
        for (var l = 0; l < Shapes.Count; l++)
        {
            var (rows, columns) = Shapes[l];
            if (i < offset + rows * columns)
            {
                var within = i - offset;
                return $"coordinate {i} (layer {l + 1}, row {within / columns}, column {within % columns})";
            }
            offset += rows * columns;
        }
        throw new ArgumentOutOfRangeException(nameof(i), i, $"the network has {offset} parameters");
    }

    /// <summary>normal: N(0, 1); uniform: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); zeros; each times the scale.</summary>
    public void Initialize(InitKind init, double scale, int seed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        for (var l = 0; l < _weights.Length; l++)
        {
            var w = _weights[l];
            switch (init)
            {
                case InitKind.Normal:
                    using (var factor = scale.ToScalar())
                    {
                        w.copy_(randn(w.shape, generator: generator).mul_(factor));
                    }
                    break;
                case InitKind.Uniform:
                    var bound = 1.0 / Math.Sqrt(Shapes[l].Columns);
                    using (var width = (2 * bound).ToScalar())
                    using (var shift = bound.ToScalar())
                    using (var factor = scale.ToScalar())
                    {
                        w.copy_(rand(w.shape, generator: generator).mul_(width).sub_(shift).mul_(factor));
                    }
                    break;
                case InitKind.Zeros:
                    w.zero_();
                    break;
            }
        }
    }

    /// <summary>The network's outputs (n x outputs). With <paramref name="trace"/>, keeps what <see cref="Backward"/> needs.</summary>
    public Tensor Forward(Tensor x, List<Tensor>? trace = null)
    {
        var a = x;
        for (var l = 0; l < _weights.Length; l++)
        {
            trace?.Add(a);
            var z = a.matmul(_weights[l].t());
            a = l < _weights.Length - 1 ? z.relu_() : z;
        }
        return a;
    }

    /// <summary>
    /// Writes d(objective)/d(theta) into <see cref="Gradient"/>, given d(objective)/d(outputs) and the trace
    /// of the forward pass (the input of each layer; after a ReLU, positive exactly where it passed).
    /// </summary>
    public void Backward(Tensor outputGradient, IReadOnlyList<Tensor> trace)
    {
        var delta = outputGradient;
        for (var l = _weights.Length - 1; l >= 0; l--)
        {
            var input = trace[l];
            _gradients[l].addmm_(delta.t(), input, beta: 0, alpha: 1);
            if (l > 0)
            {
                // input is a ReLU output, so its sign is exactly the ReLU's derivative (0 or 1).
                delta = delta.matmul(_weights[l]).mul_(input.sign());
            }
        }
    }

    public void Dispose()
    {
        foreach (var view in _weights.Concat(_gradients))
        {
            view.Dispose();
        }
        Theta.Dispose();
        Gradient.Dispose();
    }
}
