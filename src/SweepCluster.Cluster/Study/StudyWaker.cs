using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Query;
using SweepCluster.Cluster.Storage;

using SweepCluster.Protocol.Study;

namespace SweepCluster.Cluster.Study;

/// <summary>
/// Keeps every unfinished study's coordinator alive: a cluster singleton on the coordinator nodes that
/// asks each unfinished study for its progress when it starts, every <see cref="Interval"/>, and when a
/// coordinator node leaves. Coordinators are not remembered by Cluster.Sharding, and a study whose trials
/// are all pending gets no message from any worker (workers ask only when told there is work), so without
/// this its coordinator would sleep after a restart or a move to another node. Finished studies are not
/// woken: they are found without recovering them (<see cref="StudyJournal.UnfinishedStudyIdsAsync"/>).
/// </summary>
public sealed class StudyWaker : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _awake = [];

    public StudyWaker(StoreOptions store, IActorRef studies)
    {
        Receive<Wake>(_ => StudyJournal.UnfinishedStudyIdsAsync(store).PipeTo(Self, success: ids => new Found(ids), failure: e => new Failed(e.Message)));
        Receive<Found>(found =>
        {
            foreach (var id in found.Ids)
            {
                studies.Tell(new GetStudyProgress(id));
            }
            var woken = found.Ids.Where(id => _awake.Add(id)).ToList();
            if (woken.Count > 0)
            {
                _log.Info("Woke {0} unfinished studies: {1}", woken.Count, string.Join(", ", woken.Take(20)));
            }
            _awake.IntersectWith(found.Ids);
        });
        Receive<Failed>(failed => _log.Warning("Could not list the unfinished studies: {0}; trying again in {1} s", failed.Reason, Interval.TotalSeconds));
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            if (removed.Member.HasRole(ClusterRoles.Coordinator))
            {
                Self.Tell(Wake.Instance);
            }
        });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        // Progress replies: asking was enough to start the coordinator.
        Receive<StudyProgress>(_ => { });
        Receive<UnknownStudy>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberRemoved));
        Self.Tell(Wake.Instance);
        Timers.StartPeriodicTimer("wake", Wake.Instance, Interval);
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private sealed record Wake
    {
        public static readonly Wake Instance = new();
    }

    private sealed record Found(List<string> Ids);

    private sealed record Failed(string Reason);
}
