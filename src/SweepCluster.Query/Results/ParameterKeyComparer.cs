namespace SweepCluster.Query.Results;

/// <summary>Group keys (a value per grouping key) as dictionary keys and in a stable order: numbers by value, then text.</summary>
public sealed class ParameterKeyComparer : IEqualityComparer<IReadOnlyList<ParameterValue>>, IComparer<IReadOnlyList<ParameterValue>>
{
    public static readonly ParameterKeyComparer Instance = new();

    public bool Equals(IReadOnlyList<ParameterValue>? x, IReadOnlyList<ParameterValue>? y) => x!.SequenceEqual(y!);

    public int GetHashCode(IReadOnlyList<ParameterValue> key)
    {
        var hash = new HashCode();
        foreach (var value in key)
        {
            hash.Add(value);
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
