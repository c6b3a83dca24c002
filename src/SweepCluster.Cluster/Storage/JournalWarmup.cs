using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace SweepCluster.Cluster.Storage;

/// <summary>
/// Recovers a persistence id that never has events, once, while the node joins the cluster, then stops.
/// The first recovery of a process starts the journal and snapshot store (creating their tables) and
/// makes linq2db build and compile its queries: about 1.5 s of JIT on this machine, which a user's first
/// study otherwise waits through after submitting. Nothing is written.
/// </summary>
public sealed class JournalWarmup : ReceivePersistentActor
{
    public const string WarmupPersistenceId = "sweepcluster-journal-warmup";

    private readonly TaskCompletionSource _done;

    public JournalWarmup(TaskCompletionSource done)
    {
        _done = done;
        Recover<RecoveryCompleted>(_ =>
        {
            _done.TrySetResult();
            Context.Stop(Self);
        });
        CommandAny(_ => { });
    }

    public override string PersistenceId => WarmupPersistenceId;

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        // The study that needs the journal reports the failure; warming up is only an optimisation.
        Context.GetLogger().Warning("Warming up the journal failed: {0}", reason.Message);
        _done.TrySetResult();
        base.OnRecoveryFailure(reason, message);
    }

    protected override void PostStop()
    {
        _done.TrySetResult();
        base.PostStop();
    }
}
