using System.IO.Hashing;
using SweepCluster.Training.Optimization;
using static TorchSharp.torch;

namespace SweepCluster.Training;

/// <summary>
/// Notices a full-batch trial that goes round in a cycle. Every step's parameters, loss and rule state
/// (Adam's moments, a held coordinate) are fingerprinted; when the last <see cref="WindowSteps"/> steps
/// repeat with some period of at most <see cref="MaxPeriod"/> steps (a period of one: nothing moves), the
/// trial is stalled. Every rule is a function of that state on full-batch data, so it would repeat for ever:
/// a result, not something to wait out. The verdict depends on steps alone, never on how often checkpoints
/// are logged, and the window is part of the training state, so a resumed trial stalls where an
/// uninterrupted one does. Mini-batch trials are never judged: their next step depends on the batch too.
/// </summary>
public sealed class StallDetector
{
    /// <summary>The steps that must repeat: enough to see every period up to <see cref="MaxPeriod"/> twice.</summary>
    public const int WindowSteps = 64;

    public const int MaxPeriod = WindowSteps / 2;

    private const string StepsKey = "stall.steps";
    private const string FingerprintsKey = "stall.fingerprints";
    private const int FingerprintBytes = 16;

    private readonly Queue<(long Step, UInt128 Fingerprint)> _recent = new();
    private readonly XxHash128 _hash = new();

    /// <summary>Records step <paramref name="step"/>'s state; returns the repeat once the window is periodic.</summary>
    public Stall? Observe(long step, Tensor theta, double logLoss, UpdateRule rule)
    {
        _hash.Reset();
        _hash.Append(theta.bytes);
        _hash.Append(BitConverter.GetBytes(logLoss));
        rule.AddToFingerprint(_hash, step);
        _recent.Enqueue((step, _hash.GetCurrentHashAsUInt128()));
        if (_recent.Count > WindowSteps)
        {
            _recent.Dequeue();
        }
        if (_recent.Count < WindowSteps)
        {
            return null;
        }
        var window = _recent.ToArray();
        for (var period = 1; period <= MaxPeriod; period++)
        {
            var periodic = true;
            for (var k = period; k < window.Length && periodic; k++)
            {
                periodic = window[k].Fingerprint == window[k - period].Fingerprint && window[k].Step == window[k - 1].Step + 1;
            }
            if (periodic)
            {
                return new Stall(window[0].Step, period, Math.Exp(logLoss));
            }
        }
        return null;
    }

    /// <summary>The window, as tensors for the training state.</summary>
    public IReadOnlyDictionary<string, Tensor> State
    {
        get
        {
            var window = _recent.ToArray();
            var bytes = new byte[window.Length * FingerprintBytes];
            for (var i = 0; i < window.Length; i++)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(i * FingerprintBytes, 8), (ulong)window[i].Fingerprint);
                BitConverter.TryWriteBytes(bytes.AsSpan(i * FingerprintBytes + 8, 8), (ulong)(window[i].Fingerprint >> 64));
            }
            return new Dictionary<string, Tensor>
            {
                [StepsKey] = tensor(window.Select(w => w.Step).ToArray()),
                [FingerprintsKey] = tensor(bytes).reshape(window.Length, FingerprintBytes),
            };
        }
    }

    /// <summary>Takes back a saved window; a state saved before windows were saved starts with an empty one.</summary>
    public void Restore(IReadOnlyDictionary<string, Tensor> saved)
    {
        _recent.Clear();
        if (!saved.TryGetValue(StepsKey, out var steps) || !saved.TryGetValue(FingerprintsKey, out var fingerprints))
        {
            return;
        }
        var stepValues = steps.data<long>().ToArray();
        var bytes = fingerprints.data<byte>().ToArray();
        if (bytes.Length != stepValues.Length * FingerprintBytes)
        {
            throw new InvalidDataException($"training state tensor '{FingerprintsKey}' has {bytes.Length} bytes for {stepValues.Length} steps");
        }
        for (var i = 0; i < stepValues.Length; i++)
        {
            var low = BitConverter.ToUInt64(bytes, i * FingerprintBytes);
            var high = BitConverter.ToUInt64(bytes, i * FingerprintBytes + 8);
            _recent.Enqueue((stepValues[i], new UInt128(high, low)));
        }
    }
}

/// <summary>The state has repeated every <paramref name="Period"/> steps since step <paramref name="Since"/>.</summary>
public sealed record Stall(long Since, int Period, double Loss);
