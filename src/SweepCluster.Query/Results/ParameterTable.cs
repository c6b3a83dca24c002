using SweepCluster.Protocol.Study;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Query.Results;

/// <summary>
/// A study's trials' resolved keys, flattened to dotted names (model.width, adam.eps): a row per trial, a
/// column per key. Columnar because every question asked of it (which keys vary, which determine the
/// others, a trial's group) reads one key across all trials.
/// </summary>
public sealed class ParameterTable
{
    private readonly IReadOnlyDictionary<string, int> _columns;
    private readonly IReadOnlyList<ParameterValue[]> _rows;
    private readonly HashSet<string> _keys;

    internal ParameterTable(IReadOnlyList<string> names, IReadOnlyDictionary<string, int> columns, IReadOnlyList<ParameterValue[]> rows)
    {
        _columns = columns;
        _rows = rows;
        Keys = Enumerable.Range(0, names.Count).Where(AnyRowHas).Select(c => names[c]).ToList();
        _keys = Keys.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every key some trial has a value (or null) for, in first-seen order; sections (model, adam) only when null.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>Flattens the specs (JSON) of one study's trials, in order.</summary>
    public static ParameterTable Flatten(IEnumerable<string> specJsons)
    {
        var flattener = new ParameterFlattener();
        foreach (var spec in specJsons)
        {
            flattener.Add(spec);
        }
        return flattener.ToTable();
    }

    /// <summary>Flattens a study's trials from the read model, each configuration once (see <see cref="ReplicateConfig"/>).</summary>
    public static ParameterTable Flatten(IEnumerable<TrialRow> trials)
    {
        var flattener = new ParameterFlattener();
        foreach (var trial in trials)
        {
            if (trial.ConfigJson is { } configuration)
            {
                flattener.AddReplicate(configuration, trial.Seed);
            }
            else
            {
                flattener.Add(trial.SpecJson);
            }
        }
        return flattener.ToTable();
    }

    public bool HasKey(string key) => _keys.Contains(key);

    /// <summary>Trial <paramref name="row"/>'s value of <paramref name="key"/>; <see cref="ParameterValue.Missing"/> when it has none.</summary>
    public ParameterValue Value(int row, string key) => _columns.TryGetValue(key, out var column) ? Value(row, column) : ParameterValue.Missing;

    /// <summary>Trial <paramref name="row"/>'s values of <paramref name="keys"/>.</summary>
    public ParameterValue[] Values(int row, IReadOnlyList<string> keys)
    {
        var values = new ParameterValue[keys.Count];
        for (var k = 0; k < keys.Count; k++)
        {
            values[k] = Value(row, keys[k]);
        }
        return values;
    }

    /// <summary>
    /// The keys whose value is not the same in every trial (a key some trials lack counts as varying), in
    /// first-seen order. A section that is null in some trials and set in others (adam) is represented by
    /// its keys (adam.eps), not by itself.
    /// </summary>
    public List<string> Varying()
    {
        var sections = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in Keys)
        {
            for (var dot = key.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = key.IndexOf('.', dot + 1))
            {
                sections.Add(key[..dot]);
            }
        }
        var varying = new List<string>();
        foreach (var key in Keys)
        {
            var column = _columns[key];
            if (!sections.Contains(key) && _rows.Count > 0 && !IsConstant(column))
            {
                varying.Add(key);
            }
        }
        return varying;
    }

    /// <summary>
    /// The swept keys that tell the configurations apart: the varying keys without seed (the replicate
    /// axis), less every key that the others already determine (an optimizer axis sets algorithm, lr and
    /// adam.eps together; grouping by algorithm alone gives the same groups). Keys earlier in
    /// <paramref name="varying"/> are kept over later ones, with algorithm and lr first.
    /// </summary>
    public List<string> DefaultGroups(IReadOnlyList<string> varying)
    {
        string[] first = ["algorithm", "lr"];
        var keys = first.Where(varying.Contains).Concat(varying.Where(k => !first.Contains(k) && k != "seed")).ToList();
        // Each trial's values as small integers per key, so groups compare integer vectors, not strings.
        var codes = new int[_rows.Count][];
        for (var t = 0; t < codes.Length; t++)
        {
            codes[t] = new int[keys.Count];
        }
        for (var k = 0; k < keys.Count; k++)
        {
            var column = _columns[keys[k]];
            var seen = new Dictionary<ParameterValue, int>();
            for (var t = 0; t < _rows.Count; t++)
            {
                var value = Value(t, column);
                if (!seen.TryGetValue(value, out var code))
                {
                    seen[value] = code = seen.Count;
                }
                codes[t][k] = code;
            }
        }
        var kept = Enumerable.Range(0, keys.Count).ToList();
        for (var i = keys.Count - 1; i >= 0 && kept.Count > 1; i--)
        {
            var others = kept.Where(k => k != i).ToArray();
            if (Determines(codes, others, i))
            {
                kept.Remove(i);
            }
        }
        return kept.Select(k => keys[k]).ToList();
    }

    private static bool Determines(int[][] codes, int[] others, int target)
    {
        var valueOf = new Dictionary<int[], int>(new CodesComparer(others));
        foreach (var c in codes)
        {
            if (!valueOf.TryAdd(c, c[target]) && valueOf[c] != c[target])
            {
                return false;
            }
        }
        return true;
    }

    private bool IsConstant(int column)
    {
        var first = Value(0, column);
        for (var t = 1; t < _rows.Count; t++)
        {
            if (!Value(t, column).Equals(first))
            {
                return false;
            }
        }
        return true;
    }

    private bool AnyRowHas(int column)
    {
        foreach (var row in _rows)
        {
            if (column < row.Length && row[column].Text is not null)
            {
                return true;
            }
        }
        return false;
    }

    // A row made before a later trial brought a new key is shorter; an unset cell is the default struct (null text).
    private ParameterValue Value(int row, int column) =>
        _rows[row] is var values && column < values.Length && values[column].Text is not null ? values[column] : ParameterValue.Missing;

    /// <summary>Compares code vectors on the chosen positions only.</summary>
    private sealed class CodesComparer(int[] positions) : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y)
        {
            foreach (var p in positions)
            {
                if (x![p] != y![p])
                {
                    return false;
                }
            }
            return true;
        }

        public int GetHashCode(int[] codes)
        {
            var hash = new HashCode();
            foreach (var p in positions)
            {
                hash.Add(codes[p]);
            }
            return hash.ToHashCode();
        }
    }
}
