using SweepCluster.Protocol;

namespace SweepCluster.Query.ReadModel;

/// <summary>A study event with its place in the journal (the events-by-tag offset).</summary>
public sealed record ProjectedEvent(long Offset, string StudyId, IStudyEvent Event);
