using TorchSharp;

namespace SweepCluster.Training;

/// <summary>Process-wide torch settings.</summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static int _threads;

    /// <summary>
    /// Fixes libtorch's intra-op thread count. It is one setting for the whole process, so trainings that
    /// run side by side (one per worker slot) must agree on it; results are bit-reproducible only for a
    /// fixed count.
    /// </summary>
    public static void UseThreads(int threads)
    {
        lock (Gate)
        {
            if (_threads != threads)
            {
                torch.set_num_threads(threads);
                _threads = threads;
            }
        }
    }
}
