using Akka.Cluster.Sharding;
using SweepCluster.Protocol;

namespace SweepCluster.Cluster.Hosting;

/// <summary>Routes study messages to the study's coordinator entity, by study id.</summary>
public sealed class StudyMessageExtractor() : HashCodeMessageExtractor(MaxShards)
{
    public const int MaxShards = 50;

    public override string EntityId(object message) => message is IStudyMessage m ? m.StudyId : null!;
}

/// <summary>Registry key of the study shard region (or its proxy on worker-only nodes).</summary>
public sealed class StudyRegion;

/// <summary>Registry key of this node's worker actor.</summary>
public sealed class WorkerRegistryKey;

/// <summary>Registry key of the singleton that wakes unfinished studies.</summary>
public sealed class StudyWakerKey;
