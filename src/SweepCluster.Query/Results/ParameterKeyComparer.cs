namespace SweepCluster.Query.Results;

/// <summary>Group keys (a value per grouping key) as dictionary keys and in a stable order: numbers by value, then text.</summary>
public sealed class ParameterKeyComparer : IEqualityComparer<IReadOnlyList<ParameterValue>>, IComparer<IReadOnlyList<ParameterValue>>
{
    public static readonly ParameterKeyComparer Instance = new();

    public bool Equals(IReadOnlyList<ParameterValue>? x, IReadOnlyList<ParameterValue>? y)
    {
        if (x!.Count != y!.Count)
        {
            return false;
        }
        for (var i = 0; i < x.Count; i++)
        {
            if (!x[i].Equals(y[i]))
            {
                return false;
            }
        }
        return true;
    }

    public int GetHashCode(IReadOnlyList<ParameterValue> key)
    {
        var hash = new HashCode();
        for (var i = 0; i < key.Count; i++)
        {
            hash.Add(key[i]);
        }
        return hash.ToHashCode();
    }

    public int Compare(IReadOnlyList<ParameterValue>? x, IReadOnlyList<ParameterValue>? y)
    {
        for (var i = 0; i < Math.Min(x!.Count, y!.Count); i++)
        {
            var c = ParameterValue.Compare(x[i], y[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return x.Count.CompareTo(y.Count);
    }
}
