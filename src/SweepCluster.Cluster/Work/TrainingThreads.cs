using System.Collections.Concurrent;

namespace SweepCluster.Cluster.Work;

/// <summary>
/// A worker's dedicated training threads, one per slot, kept for the worker's life. Trainings never run on
/// Akka's dispatcher (heartbeats would starve). A thread per trial cost the dispatcher about 1.6 ms a trial
/// in <c>Thread.Start</c>, which waits for the new thread to be scheduled on cores the trainings keep busy.
/// </summary>
public sealed class TrainingThreads : IDisposable
{
    // A cancelled training returns within a step; this bounds the wait for one that does not.
    private static readonly TimeSpan EndTimeout = TimeSpan.FromSeconds(30);

    private readonly BlockingCollection<Action> _work = new(new ConcurrentQueue<Action>());
    private readonly List<Thread> _threads = [];
    private volatile bool _ending;

    public TrainingThreads(int count, string name)
    {
        for (var i = 0; i < count; i++)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"{name}-{i + 1}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    /// <summary>
    /// Runs <paramref name="training"/> on the next free training thread. It must catch its own exceptions.
    /// The worker starts no more trainings than it has threads, so a training waits only while a finished
    /// one's thread is on its way back.
    /// </summary>
    public void Run(Action training) => _work.Add(training);

    /// <summary>
    /// Lets each thread end after its current training (their actors have cancelled them) and waits until
    /// they have: a process that exits while a thread is inside libtorch crashes in its native teardown
    /// (a node stopped with SIGTERM mid-training exited with SIGSEGV).
    /// </summary>
    public void Dispose()
    {
        _ending = true;
        _work.CompleteAdding();
        var deadline = DateTime.UtcNow + EndTimeout;
        foreach (var thread in _threads.Where(t => t != Thread.CurrentThread))
        {
            thread.Join(Max(deadline - DateTime.UtcNow, TimeSpan.Zero));
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void Loop()
    {
        foreach (var training in _work.GetConsumingEnumerable())
        {
            // A training still queued when the worker ends belongs to a stopped actor: nobody awaits it.
            if (!_ending)
            {
                training();
            }
        }
    }
}
