using System.Runtime.InteropServices;
using TorchSharp;

namespace SweepCluster.Training;

/// <summary>Process-wide torch settings.</summary>
public static partial class TorchRuntime
{
    private const int MallocTrimThreshold = -1;
    private const int MallocMmapThreshold = -3;

    private static readonly Lock Gate = new();
    private static bool _allocatorTuned;

    [ThreadStatic]
    private static int _threadsOfThisThread;

    /// <summary>
    /// Fixes libtorch's intra-op thread count for trainings on the calling thread. libtorch sets it through
    /// OpenMP, whose setting belongs to the calling thread: a training on its own dedicated thread must set
    /// it there, or it runs with OpenMP's default (every core) and trainings side by side oversubscribe the
    /// machine. Results are bit-reproducible for a fixed count.
    /// </summary>
    public static void UseThreads(int threads)
    {
        lock (Gate)
        {
            TuneAllocator();
        }
        if (_threadsOfThisThread != threads)
        {
            torch.set_num_threads(threads);
            _threadsOfThisThread = threads;
        }
    }

    /// <summary>
    /// Every training step allocates and frees tensors of a few megabytes. glibc serves blocks that size
    /// with fresh mmap()s and returns freed heap tops to the kernel, so each new tensor page-faults its
    /// memory in again, which costs more than the arithmetic on it. Raising both thresholds keeps those
    /// blocks in the heap for reuse. It changes no result.
    /// </summary>
    private static void TuneAllocator()
    {
        if (_allocatorTuned || !OperatingSystem.IsLinux())
        {
            return;
        }
        _allocatorTuned = true;
        try
        {
            _ = mallopt(MallocMmapThreshold, 256 << 20);
            _ = mallopt(MallocTrimThreshold, 1 << 30);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, say): keep its defaults.
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);
}
