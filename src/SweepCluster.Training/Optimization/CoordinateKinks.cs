using System.IO.Hashing;
using static TorchSharp.torch;

namespace SweepCluster.Training.Optimization;

/// <summary>
/// What coordinate descent needs to behave like its flow at a ReLU kink. When the largest-|g| coordinate's
/// one-dimensional loss has its minimum at a kink (one side slopes down into it, the other side up out of
/// it), the finite step jumps across the kink, the gradient there points back, and the rule jumps back:
/// forever, since that coordinate keeps the largest |g|. The flow instead stops the coordinate at the kink
/// and moves the others. So a coordinate is held when its step changed the activation pattern and the very
/// next gradient sends it straight back; the others move while it is held. It is released when its
/// gradient no longer points back across the kink, or when its hold runs out, and a coordinate that bounces
/// again at once is held twice as long (up to <see cref="MaxHold"/> steps). A trajectory without such a
/// bounce takes exactly the steps of plain coordinate descent. It acts only for trials that say
/// <c>kink_hold: true</c>: it is a change to the algorithm, not the algorithm the paper analyses.
/// </summary>
public sealed class CoordinateKinks : IDisposable
{
    public const long FirstHold = 16;
    public const long MaxHold = 1024;

    public const string StateKey = "coordinate.kinks";
    private const string PatternKey = "coordinate.pattern";

    private readonly Dictionary<long, Hold> _held = [];
    private readonly Dictionary<long, long> _lastHold = [];
    private Tensor? _pattern;
    private bool _patternChanged;
    private (long Index, int Direction)? _lastMove;

    /// <summary>Why a coordinate is held: the sign of its gradient when it bounced, and the step its hold ends.</summary>
    private readonly record struct Hold(int GradientSign, long Until);

    /// <summary>How many times a coordinate was held at a kink.</summary>
    public long Holds { get; private set; }

    /// <summary>At how many steps at least one coordinate was held (it could not be the one that moved).</summary>
    public long HeldSteps { get; private set; }

    /// <summary>
    /// Records the activation pattern at the point the next gradient is taken: the outputs of every hidden
    /// ReLU on the full training set. Compared with the previous one, it says whether the last step crossed a kink.
    /// </summary>
    public void Observe(IReadOnlyList<Tensor> layerInputs)
    {
        if (layerInputs.Count < 2)
        {
            return;
        }
        using var scope = NewDisposeScope();
        var pattern = cat(layerInputs.Skip(1).Select(a => a.gt(HeldScalars.Zero).flatten()).ToArray());
        _patternChanged = _pattern is not null && _pattern.ne(pattern).any().item<bool>();
        _pattern?.Dispose();
        _pattern = pattern.DetachFromDisposeScope();
    }

    /// <summary>The coordinate to move at step t: the largest |g| among those not held at a kink.</summary>
    public long Choose(Tensor g, long t)
    {
        using var scope = NewDisposeScope();
        Release(g, t);
        var magnitude = g.abs();
        var i = Argmax(magnitude);
        var gradientSign = Math.Sign(g[i].item<float>());
        if (_lastMove is { } last && last.Index == i && _patternChanged && -gradientSign == -last.Direction)
        {
            var hold = _lastHold.TryGetValue(i, out var previous) ? Math.Min(2 * previous, MaxHold) : FirstHold;
            _lastHold[i] = hold;
            _held[i] = new Hold(gradientSign, t + hold);
            Holds++;
            i = Argmax(magnitude);
            gradientSign = Math.Sign(g[i].item<float>());
        }
        if (_held.Count > 0)
        {
            HeldSteps++;
        }
        else if (_lastMove is { } moved && _lastHold.ContainsKey(moved.Index))
        {
            // It moved off its kink without bouncing back: a later bounce there is a new one.
            _lastHold.Remove(moved.Index);
        }
        _lastMove = (i, -gradientSign);
        return i;
    }

    private long Argmax(Tensor magnitude)
    {
        if (_held.Count == 0)
        {
            return magnitude.argmax().item<long>();
        }
        using var held = tensor(_held.Keys.ToArray());
        return magnitude.index_fill(0, held, HeldScalars.MinusOne).argmax().item<long>();
    }

    private void Release(Tensor g, long t)
    {
        if (_held.Count == 0)
        {
            return;
        }
        using var held = tensor(_held.Keys.ToArray());
        var values = g.index_select(0, held).data<float>().ToArray();
        var index = 0;
        foreach (var (coordinate, hold) in _held.ToList())
        {
            var sign = Math.Sign(values[index++]);
            if (sign != hold.GradientSign)
            {
                // The slope no longer points back across the kink: the coordinate moves off it by descent.
                _held.Remove(coordinate);
                _lastHold.Remove(coordinate);
            }
            else if (t >= hold.Until)
            {
                _held.Remove(coordinate);
            }
        }
    }

    /// <summary>
    /// What decides the next choices, for the stall fingerprint: the last move, whether the pattern changed,
    /// each held coordinate with the steps its hold has left, each hold's length, and the activation pattern.
    /// </summary>
    public void AddToFingerprint(XxHash128 hash, long t)
    {
        var numbers = new List<long> { _lastMove is null ? 0 : 1, _lastMove?.Index ?? 0, _lastMove?.Direction ?? 0, _patternChanged ? 1 : 0 };
        foreach (var (coordinate, hold) in _held.OrderBy(h => h.Key))
        {
            numbers.AddRange([coordinate, hold.GradientSign, hold.Until - t]);
        }
        numbers.Add(-1);
        foreach (var (coordinate, hold) in _lastHold.OrderBy(h => h.Key))
        {
            numbers.AddRange([coordinate, hold]);
        }
        hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(numbers.ToArray().AsSpan()));
        if (_pattern is not null)
        {
            hash.Append(_pattern.bytes);
        }
    }

    /// <summary>The state a resumed run needs to take the same steps, as tensors for the training state file.</summary>
    public IReadOnlyDictionary<string, Tensor> State
    {
        get
        {
            var numbers = new List<long> { _lastMove is null ? 0 : 1, _lastMove?.Index ?? 0, _lastMove?.Direction ?? 0, _patternChanged ? 1 : 0, Holds, _held.Count };
            foreach (var (coordinate, hold) in _held)
            {
                numbers.AddRange([coordinate, hold.GradientSign, hold.Until]);
            }
            numbers.Add(_lastHold.Count);
            foreach (var (coordinate, hold) in _lastHold)
            {
                numbers.AddRange([coordinate, hold]);
            }
            numbers.Add(HeldSteps);
            var state = new Dictionary<string, Tensor> { [StateKey] = tensor(numbers.ToArray()) };
            if (_pattern is not null)
            {
                state[PatternKey] = _pattern.to(ScalarType.Byte);
            }
            return state;
        }
    }

    /// <summary>Takes back a saved state; a state saved before kinks were tracked starts with none.</summary>
    public void Restore(IReadOnlyDictionary<string, Tensor> saved)
    {
        _held.Clear();
        _lastHold.Clear();
        _pattern?.Dispose();
        _pattern = saved.TryGetValue(PatternKey, out var pattern) ? pattern.to(ScalarType.Bool).DetachFromDisposeScope() : null;
        if (!saved.TryGetValue(StateKey, out var state))
        {
            return;
        }
        var n = state.data<long>().ToArray();
        var at = 0;
        long Next() => at < n.Length ? n[at++] : throw new InvalidDataException($"training state tensor '{StateKey}' is cut short");
        var hasLast = Next() == 1;
        var (index, direction) = (Next(), (int)Next());
        _lastMove = hasLast ? (index, direction) : null;
        _patternChanged = Next() == 1;
        Holds = Next();
        for (var k = Next(); k > 0; k--)
        {
            var coordinate = Next();
            var sign = (int)Next();
            _held[coordinate] = new Hold(sign, Next());
        }
        for (var k = Next(); k > 0; k--)
        {
            var coordinate = Next();
            _lastHold[coordinate] = Next();
        }
        // States saved before held steps were counted end here.
        HeldSteps = at < n.Length ? n[at] : 0;
    }

    public void Dispose() => _pattern?.Dispose();
}
