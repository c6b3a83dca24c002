using System.Text.Json;

namespace SweepCluster.Query.Results;

/// <summary>A trial's resolved keys, flattened to dotted names (model.width, adam.eps), from its stored spec.</summary>
public static class TrialParameters
{
    public static Dictionary<string, ParameterValue> Flatten(string specJson)
    {
        using var document = JsonDocument.Parse(specJson);
        var values = new Dictionary<string, ParameterValue>(StringComparer.Ordinal);
        Walk(document.RootElement, "", values);
        return values;
    }

    private static void Walk(JsonElement element, string prefix, Dictionary<string, ParameterValue> values)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Walk(property.Value, prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}", values);
            }
            return;
        }
        values[prefix] = ParameterValue.From(element);
    }

    /// <summary>
    /// The keys whose value is not the same in every trial (a key some trials lack counts as varying), in
    /// first-seen order. A section that is null in some trials and set in others (adam) is represented by
    /// its keys (adam.eps), not by itself.
    /// </summary>
    public static List<string> Varying(IReadOnlyList<IReadOnlyDictionary<string, ParameterValue>> trials)
    {
        var keys = trials.SelectMany(t => t.Keys).Distinct(StringComparer.Ordinal).ToList();
        return keys.Where(k => !keys.Any(other => other.StartsWith(k + ".", StringComparison.Ordinal)))
            .Where(k => trials.Select(t => Value(t, k)).Distinct().Skip(1).Any()).ToList();
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
        for (var i = keys.Count - 1; i >= 0; i--)
        {
            var others = keys.Where((_, j) => j != i).ToList();
            var determined = trials.GroupBy(t => string.Join("\u001f", others.Select(k => Value(t, k).Text)))
                .All(g => g.Select(t => Value(t, keys[i])).Distinct().Count() == 1);
            if (determined && others.Count > 0)
            {
                keys.RemoveAt(i);
            }
        }
        return keys;
    }

    public static ParameterValue Value(IReadOnlyDictionary<string, ParameterValue> trial, string key) =>
        trial.TryGetValue(key, out var value) ? value : ParameterValue.Missing;
}
