using System.Text;
using System.Text.Json;

namespace SweepCluster.Query.Results;

/// <summary>A trial's resolved keys, flattened to dotted names (model.width, adam.eps), from its stored spec.</summary>
public static class TrialParameters
{
    /// <summary>Reads the spec with a forward-only reader: a study of 10,000 trials is flattened on every query.</summary>
    public static Dictionary<string, ParameterValue> Flatten(string specJson)
    {
        var values = new Dictionary<string, ParameterValue>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(specJson));
        var path = new List<string>();
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    break;
                case JsonTokenType.StartObject:
                    if (property is not null)
                    {
                        path.Add(property);
                        property = null;
                    }
                    break;
                case JsonTokenType.EndObject:
                    if (path.Count > 0)
                    {
                        path.RemoveAt(path.Count - 1);
                    }
                    break;
                case JsonTokenType.StartArray:
                    using (var array = JsonDocument.ParseValue(ref reader))
                    {
                        values[Name(path, property!)] = ParameterValue.From(array.RootElement);
                    }
                    break;
                case JsonTokenType.Number:
                    values[Name(path, property!)] = new ParameterValue(Encoding.UTF8.GetString(reader.ValueSpan), reader.GetDouble());
                    break;
                case JsonTokenType.String:
                    values[Name(path, property!)] = new ParameterValue(reader.GetString()!, null);
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    values[Name(path, property!)] = new ParameterValue(reader.GetBoolean() ? "true" : "false", null);
                    break;
                case JsonTokenType.Null:
                    values[Name(path, property!)] = ParameterValue.Missing;
                    break;
            }
        }
        return values;
    }

    private static string Name(List<string> path, string property) => path.Count == 0 ? property : $"{string.Join('.', path)}.{property}";

    /// <summary>
    /// The keys whose value is not the same in every trial (a key some trials lack counts as varying), in
    /// first-seen order. A section that is null in some trials and set in others (adam) is represented by
    /// its keys (adam.eps), not by itself.
    /// </summary>
    public static List<string> Varying(IReadOnlyList<IReadOnlyDictionary<string, ParameterValue>> trials)
    {
        var keys = trials.SelectMany(t => t.Keys).Distinct(StringComparer.Ordinal).ToList();
        return keys.Where(k => !keys.Any(other => other.StartsWith(k + ".", StringComparison.Ordinal)))
            .Where(k =>
            {
                var first = Value(trials[0], k);
                return trials.Any(t => !Value(t, k).Equals(first));
            })
            .ToList();
    }

    /// <summary>
    /// The swept keys that tell the configurations apart: the varying keys without seed (the replicate
    /// axis), less every key that the others already determine (an optimizer axis sets algorithm, lr and
    /// adam.eps together; grouping by algorithm alone gives the same groups). Keys earlier in
    /// <paramref name="varying"/> are kept over later ones, with algorithm and lr first.
    /// </summary>
    public static List<string> DefaultGroups(IReadOnlyList<IReadOnlyDictionary<string, ParameterValue>> trials, IReadOnlyList<string> varying)
    {
        string[] first = ["algorithm", "lr"];
        var keys = first.Where(varying.Contains).Concat(varying.Where(k => !first.Contains(k) && k != "seed")).ToList();
        // Each trial's values as small integers per key, so groups compare integer vectors, not strings.
        var codes = trials.Select(_ => new int[keys.Count]).ToArray();
        for (var k = 0; k < keys.Count; k++)
        {
            var seen = new Dictionary<ParameterValue, int>();
            for (var t = 0; t < trials.Count; t++)
            {
                var value = Value(trials[t], keys[k]);
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
            var valueOf = new Dictionary<int[], int>(new CodesComparer(others));
            var determined = codes.All(c => valueOf.TryAdd(c, c[i]) || valueOf[c] == c[i]);
            if (determined)
            {
                kept.Remove(i);
            }
        }
        return kept.Select(k => keys[k]).ToList();
    }

    public static ParameterValue Value(IReadOnlyDictionary<string, ParameterValue> trial, string key) =>
        trial.TryGetValue(key, out var value) ? value : ParameterValue.Missing;

    /// <summary>Compares code vectors on the chosen positions only.</summary>
    private sealed class CodesComparer(int[] positions) : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) => positions.All(p => x![p] == y![p]);

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
