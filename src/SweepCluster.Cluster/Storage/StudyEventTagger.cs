using System.Collections.Immutable;
using Akka.Persistence.Journal;
using SweepCluster.Protocol;

namespace SweepCluster.Cluster.Storage;

/// <summary>
/// Tags every study event as it is written, so the read side can follow all studies with one
/// events-by-tag query in journal order, from an offset it stores.
/// </summary>
public sealed class StudyEventTagger : IWriteEventAdapter
{
    public const string Tag = "study-event";

    private static readonly ImmutableHashSet<string> Tags = [Tag];

    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => evt is IStudyEvent ? new Tagged(evt, Tags) : evt;
}
