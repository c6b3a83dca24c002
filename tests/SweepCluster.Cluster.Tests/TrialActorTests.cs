using System.Collections.Concurrent;
using Akka.Actor;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Work;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Tests;

/// <summary>A worker's trial actor against a coordinator that answers only when the test says so (a store that is down).</summary>
public sealed class TrialActorTests : IAsyncLifetime
{
    private ActorSystem _system = null!;
    private readonly BlockingCollection<object> _toCoordinator = [];
    private readonly TrainingThreads _threads = new(2, "test-training");

    public ValueTask InitializeAsync()
    {
        _system = ActorSystem.Create("trial-actor-test");
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _system.Terminate();
        _threads.Dispose();
    }

    private IActorRef StartTrial(int checkpoints) => StartTrial(new InstantCheckpoints(checkpoints));

    private IActorRef StartTrial(ITrialExecutor executor)
    {
        var coordinator = _system.ActorOf(Props.Create(() => new Recorder(_toCoordinator)));
        var spec = TestTrials.Sweep("t").Trials[0].Spec;
        var trial = new AssignTrial("t", "trial", TrialJson.Serialize(spec), 1, null);
        var options = new WorkerOptions("node", 1, TimeSpan.FromHours(1), executor);
        var actor = _system.ActorOf(Props.Create(() => new TrialActor(trial, coordinator, options, _threads)));
        actor.Tell(TrialActor.Begin.Instance);
        return actor;
    }

    private List<object> Received(TimeSpan during)
    {
        var messages = new List<object>();
        var until = DateTime.UtcNow + during;
        while (DateTime.UtcNow < until && _toCoordinator.TryTake(out var message, until - DateTime.UtcNow))
        {
            messages.Add(message);
        }
        return messages;
    }

    [Fact]
    public void The_end_of_a_trial_waits_for_every_batch_to_be_acknowledged_however_long_that_takes()
    {
        var actor = StartTrial(checkpoints: 600);

        // Regression: the end used to go out with the first re-send round (3 s), acknowledged or not; the
        // coordinator then closed the trial and the unacknowledged checkpoints were lost.
        var unanswered = Received(TimeSpan.FromSeconds(7));
        Assert.DoesNotContain(unanswered, m => m is TrialFinished);
        var batches = unanswered.OfType<CheckpointBatch>().DistinctBy(b => b.Sequence).ToList();
        Assert.NotEmpty(batches);
        Assert.True(unanswered.OfType<CheckpointBatch>().Count() > batches.Count, "unacknowledged batches are sent again");

        foreach (var batch in batches)
        {
            actor.Tell(new BatchAck("t", "trial", 1, batch.Sequence));
        }
        var finished = Assert.Single(Received(TimeSpan.FromSeconds(2)).OfType<TrialFinished>());
        Assert.Equal(TrialEnd.Completed, finished.End);
        // The checkpoints not batched when training ended travel with the end.
        Assert.Equal(Enumerable.Range(0, 600).Select(s => (long)s), batches.SelectMany(b => b.Checkpoints).Concat(finished.LastCheckpoints).Select(c => c.Step));
    }

    [Fact]
    public void A_trial_stopped_while_checkpointing_still_reports_its_end()
    {
        var actor = StartTrial(new StopsOnRequest());
        var before = Received(TimeSpan.FromSeconds(1)).OfType<CheckpointBatch>().ToList();
        actor.Tell(TrialActor.StopTraining.Instance);
        var after = Received(TimeSpan.FromSeconds(2)).OfType<CheckpointBatch>().ToList();

        // Regression: the checkpoint taken while stopping held no credit, but its acknowledgement released
        // one; the semaphore overflowed, the actor restarted without its state and the trial stayed running.
        foreach (var batch in before.Concat(after).DistinctBy(b => b.Sequence))
        {
            actor.Tell(new BatchAck("t", "trial", 1, batch.Sequence));
        }
        var finished = Assert.Single(Received(TimeSpan.FromSeconds(2)).OfType<TrialFinished>());
        Assert.Equal(TrialEnd.Cancelled, finished.End);
        Assert.Equal(11, before.Concat(after).DistinctBy(b => b.Sequence).Sum(b => b.Checkpoints.Count) + finished.LastCheckpoints.Count);
    }

    /// <summary>Ten checkpoints, then waits to be stopped, takes one more checkpoint and ends as cancelled.</summary>
    private sealed class StopsOnRequest : ITrialExecutor
    {
        public TrialOutcome Execute(TrialSpec spec, byte[]? resumeFrom, ITrialProgress observer, TimeSpan saveStateInterval, CancellationToken cancellation)
        {
            for (var step = 0; step < 10; step++)
            {
                observer.OnCheckpoint(TestTrials.At(step));
            }
            cancellation.WaitHandle.WaitOne();
            observer.OnCheckpoint(TestTrials.At(10));
            Thread.Sleep(500);
            return new TrialOutcome(TrialEnd.Cancelled, 10, TestTrials.At(10), 0, "cancelled");
        }
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(BlockingCollection<object> received) => ReceiveAny(received.Add);
    }

    /// <summary>Emits its checkpoints at once and ends.</summary>
    private sealed class InstantCheckpoints(int count) : ITrialExecutor
    {
        public TrialOutcome Execute(TrialSpec spec, byte[]? resumeFrom, ITrialProgress observer, TimeSpan saveStateInterval, CancellationToken cancellation)
        {
            for (var step = 0; step < count; step++)
            {
                observer.OnCheckpoint(TestTrials.At(step));
            }
            return new TrialOutcome(TrialEnd.Completed, count - 1, TestTrials.At(count - 1), 0, null);
        }
    }
}
