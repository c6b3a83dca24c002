namespace SweepCluster.Trials;

/// <summary>The known name nearest to a mistyped one, for "did you mean" in error messages.</summary>
public static class NearestName
{
    /// <summary>The nearest known name, when it is close enough to be what was meant (a third of its letters, at least two).</summary>
    public static string? Of(string typed, IEnumerable<string> known)
    {
        var nearest = known.MinBy(k => Distance(k, typed));
        return nearest is not null && Distance(nearest, typed) <= Math.Max(2, typed.Length / 3) ? nearest : null;
    }

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            previous = current;
        }
        return previous[b.Length];
    }
}
