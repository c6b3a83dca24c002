using SweepCluster.Trials;

namespace SweepCluster.Query.Results;

/// <summary>One message for a study name the store does not have, wherever it is asked for: with the nearest name, or the names there are.</summary>
public static class UnknownStudy
{
    public static string Message(string studyId, IReadOnlyList<string> known) =>
        $"there is no study '{studyId}'" + (known.Count == 0 ? "; the store has no studies yet"
            : NearestName.Of(studyId, known) is { } nearest ? $"; did you mean '{nearest}'?"
            : $"; its studies: {string.Join(", ", known.Order(StringComparer.Ordinal).Take(10))}{(known.Count > 10 ? $" and {known.Count - 10} more" : "")}");
}
