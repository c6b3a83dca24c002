using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace SweepCluster.Cluster.Hosting;

/// <summary>Logs on a coordinator node when a worker node joins, becomes unreachable or leaves: what an operator asks first when trials do not start.</summary>
public sealed class MembershipLog : ReceiveActor
{
    public MembershipLog()
    {
        var log = Context.GetLogger();
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
        Receive<ClusterEvent.MemberUp>(up => Log(log, self, up.Member, "joined"));
        Receive<ClusterEvent.UnreachableMember>(unreachable => Log(log, self, unreachable.Member, "is unreachable"));
        Receive<ClusterEvent.ReachableMember>(reachable => Log(log, self, reachable.Member, "is reachable again"));
        Receive<ClusterEvent.MemberRemoved>(removed => Log(log, self, removed.Member, "left"));
        Receive<ClusterEvent.CurrentClusterState>(state =>
            log.Info("{0} worker nodes up", state.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole(ClusterRoles.Worker))));
        ReceiveAny(_ => { });
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private static void Log(ILoggingAdapter log, Address self, Member member, string what)
    {
        // A node that is both (a one-process `run`) need not announce itself.
        if (member.HasRole(ClusterRoles.Worker) && !member.Address.Equals(self))
        {
            log.Info("Worker node {0} {1}", member.Address, what);
        }
    }
}
