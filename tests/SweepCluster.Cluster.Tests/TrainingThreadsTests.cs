using System.Collections.Concurrent;
using SweepCluster.Cluster.Work;

namespace SweepCluster.Cluster.Tests;

public sealed class TrainingThreadsTests
{
    [Fact]
    public void Trainings_run_on_the_workers_own_threads_never_more_at_once_than_there_are_threads()
    {
        using var threads = new TrainingThreads(2, "test-training");
        var used = new ConcurrentDictionary<int, bool>();
        var running = 0;
        var mostAtOnce = 0;
        using var done = new CountdownEvent(10);
        for (var i = 0; i < 10; i++)
        {
            threads.Run(() =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref mostAtOnce, now);
                used[Environment.CurrentManagedThreadId] = Thread.CurrentThread.IsThreadPoolThread;
                Thread.Sleep(20);
                Interlocked.Decrement(ref running);
                done.Signal();
            });
        }

        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, mostAtOnce);
        Assert.Equal(2, used.Count);
        Assert.DoesNotContain(true, used.Values);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }
}
