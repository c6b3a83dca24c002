using System.Collections.Concurrent;
using Akka.Actor;
using SweepCluster.Worker;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Work;
using SweepCluster.Training;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Tests;

/// <summary>A worker against a coordinator that only records what it is sent.</summary>
public sealed class WorkerActorTests : IAsyncLifetime
{
    private ActorSystem _system = null!;
    private readonly BlockingCollection<object> _toCoordinator = [];

    public ValueTask InitializeAsync()
    {
        _system = ActorSystem.Create("worker-actor-test");
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    private T Next<T>()
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_toCoordinator.TryTake(out var message, until - DateTime.UtcNow))
        {
            if (message is T wanted)
            {
                return wanted;
            }
        }
        throw new TimeoutException($"no {typeof(T).Name} reached the coordinator");
    }

    [Fact]
    public async Task A_trial_actor_that_throws_is_stopped_and_its_attempt_reported_as_crashed()
    {
        var coordinator = _system.ActorOf(Props.Create(() => new Recorder(_toCoordinator)));
        var options = new WorkerOptions("node", 1, TimeSpan.FromHours(1), new EngineTrialExecutor());
        var worker = _system.ActorOf(Props.Create(() => new WorkerActor(options, coordinator, (_, _) => Props.Create(() => new ThrowsOnBegin()))));
        var spec = TrialJson.Serialize(TestTrials.Sweep("w").Trials[0].Spec);

        worker.Tell(new TrialsAssigned("w", [new AssignTrial("w", "doomed", spec, 3, null)]));

        var crashed = Next<TrialCrashed>();
        Assert.Equal(("w", "doomed", 3), (crashed.StudyId, crashed.TrialId, crashed.Attempt));
        Assert.Contains("trial actor failed", crashed.Reason);
        Assert.Contains("injected", crashed.Reason);
        // Stopped, not restarted: the worker holds no attempt of it any more, so it confirms none.
        Assert.Equal(0, await worker.Ask<int>(WorkerActor.GetRunningCount.Instance, TimeSpan.FromSeconds(10)));
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(BlockingCollection<object> received) => ReceiveAny(received.Add);
    }

    /// <summary>A trial actor with a bug: it throws when told to begin.</summary>
    private sealed class ThrowsOnBegin : ReceiveActor
    {
        public ThrowsOnBegin() => Receive<TrialActor.Begin>(_ => throw new InvalidOperationException("injected bug"));
    }
}
