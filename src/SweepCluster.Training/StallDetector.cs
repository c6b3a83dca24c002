using System.Runtime.InteropServices;
using System.Security.Cryptography;
using static TorchSharp.torch;

namespace SweepCluster.Training;

/// <summary>
/// Notices a trial that goes round in a cycle: its parameters and loss at the last <see cref="Window"/>
/// checkpoints repeat with some period of at most half the window (a period of one: they do not move at
/// all). On full-batch data every rule here is a function of the parameters (Adam also of its moments),
/// so such a trial would repeat for ever; it is a result ("stalled"), not something to wait out.
/// </summary>
public sealed class StallDetector
{
    public const int Window = 6;

    private readonly List<(long Step, byte[] Fingerprint)> _recent = [];

    /// <summary>Records a checkpoint's parameters and loss; returns the repeat when the window is periodic.</summary>
    public Stall? Observe(long step, Tensor theta, double loss)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(theta.data<float>().ToArray().AsSpan()));
        hash.AppendData(BitConverter.GetBytes(loss));
        var fingerprint = hash.GetHashAndReset();
        _recent.Add((step, fingerprint));
        if (_recent.Count > Window)
        {
            _recent.RemoveAt(0);
        }
        if (_recent.Count < Window)
        {
            return null;
        }
        for (var period = 1; period <= Window / 2; period++)
        {
            var periodic = true;
            for (var k = period; k < Window && periodic; k++)
            {
                periodic = _recent[k].Fingerprint.AsSpan().SequenceEqual(_recent[k - period].Fingerprint);
            }
            if (periodic)
            {
                return new Stall(_recent[0].Step, period, loss);
            }
        }
        return null;
    }
}

/// <summary>The parameters have repeated every <paramref name="Period"/> checkpoints since <paramref name="Since"/>.</summary>
public sealed record Stall(long Since, int Period, double Loss);
