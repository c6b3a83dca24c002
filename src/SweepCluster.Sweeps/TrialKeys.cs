using SweepCluster.Trials.Yaml;

namespace SweepCluster.Sweeps;

/// <summary>The keys a sweep may set per trial: top-level trial keys and dotted keys of their sections.</summary>
internal static class TrialKeys
{
    private static readonly HashSet<string> Sections = new(StringComparer.Ordinal) { "dataset", "model", "stop" };

    public static bool IsTrialKey(string key)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return TrialSpecReader.TopLevelKeys.Contains(key);
        }
        // Keys inside a section are checked when each trial is read, with the section's own key list.
        return Sections.Contains(key[..dot]) && dot < key.Length - 1 && !key[(dot + 1)..].Contains('.', StringComparison.Ordinal);
    }
}
