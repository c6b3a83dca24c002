using Akka.Actor;

namespace SweepCluster.Cluster.Storage;

/// <summary>Published on the node's event stream when a coordinator's journal write failed.</summary>
public sealed record StoreWriteFailed(string PersistenceId, Exception Cause)
{
    /// <summary>A failure that waiting will not mend: a full disk, a read-only store, a file that is not a database.</summary>
    public bool IsPermanent => StoreProblems.IsPermanent(Cause);
}

/// <summary>Completes with the first permanent journal failure on this node, so that a command can stop at once instead of retrying for ever.</summary>
public static class StoreFailureWatch
{
    public static Task<StoreWriteFailed> Start(ActorSystem system)
    {
        var failed = new TaskCompletionSource<StoreWriteFailed>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = system.ActorOf(Props.Create(() => new FailureListener(failed)));
        system.EventStream.Subscribe(watch, typeof(StoreWriteFailed));
        return failed.Task;
    }

    private sealed class FailureListener : ReceiveActor
    {
        public FailureListener(TaskCompletionSource<StoreWriteFailed> failed)
        {
            Receive<StoreWriteFailed>(f => f.IsPermanent, f => failed.TrySetResult(f));
            Receive<StoreWriteFailed>(_ => { });
        }
    }
}
