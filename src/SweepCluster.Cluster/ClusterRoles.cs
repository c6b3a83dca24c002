namespace SweepCluster.Cluster;

public static class ClusterRoles
{
    public const string Coordinator = "coordinator";
    public const string Worker = "worker";
}
