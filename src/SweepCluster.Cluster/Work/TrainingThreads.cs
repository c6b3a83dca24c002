using System.Collections.Concurrent;

namespace SweepCluster.Cluster.Work;

/// <summary>
/// A worker's dedicated training threads, one per slot, kept for the worker's life. Trainings never run on
/// Akka's dispatcher (heartbeats would starve). A thread per trial cost the dispatcher about 1.6 ms a trial
/// in <c>Thread.Start</c>, which waits for the new thread to be scheduled on cores the trainings keep busy.
/// </summary>
public sealed class TrainingThreads : IDisposable
{
    private readonly BlockingCollection<Action> _work = new(new ConcurrentQueue<Action>());

    public TrainingThreads(int count, string name)
    {
        for (var i = 0; i < count; i++)
        {
            new Thread(Loop) { IsBackground = true, Name = $"{name}-{i + 1}" }.Start();
        }
    }

    /// <summary>
    /// Runs <paramref name="training"/> on the next free training thread. It must catch its own exceptions.
    /// The worker starts no more trainings than it has threads, so a training waits only while a finished
    /// one's thread is on its way back.
    /// </summary>
    public void Run(Action training) => _work.Add(training);

    /// <summary>Lets each thread end after its current training; trainings are cancelled by their actors.</summary>
    public void Dispose() => _work.CompleteAdding();

    private void Loop()
    {
        foreach (var training in _work.GetConsumingEnumerable())
        {
            training();
        }
    }
}
