using SweepCluster.Trials.Yaml;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Sweeps;

/// <summary>
/// Where each swept key gets its values. A key set both by the grid and by the random search, or by two
/// grid axes, has no single meaning (one silently replaced the other): that is an error at the later
/// place. A key shared by every trial and also swept is allowed, since the sweep plainly varies it, but the
/// shared value is never used, so <c>validate</c> says so.
/// </summary>
internal static class KeySources
{
    public static IReadOnlyList<string> Check(
        YamlMappingNode shared, IReadOnlyList<IReadOnlyList<Setting>> gridPoints, IReadOnlyList<IReadOnlyList<Setting>> samples,
        string fileName, List<ConfigError> errors)
    {
        var grid = FirstPlaces(gridPoints, "grid", fileName, errors);
        var random = FirstPlaces(samples, "random", fileName, errors);
        foreach (var (key, place) in random)
        {
            if (grid.TryGetValue(key, out var other))
            {
                errors.Add(new ConfigError(fileName, place.Start, $"random.{key}",
                    $"is also set by the grid (line {other.Start.Line}, column {other.Start.Column}): a key takes its values from one place; remove one of them"));
            }
        }
        var notes = new List<string>();
        foreach (var (key, place) in grid.Concat(random.Where(r => !grid.ContainsKey(r.Key))))
        {
            if (SharedValue(shared, key) is { } value)
            {
                notes.Add($"{key}: the shared value {YamlTree.Text(value)} (line {value.Start.Line}) is never used; the sweep sets it at line {place.Start.Line}");
            }
        }
        return notes;
    }

    /// <summary>The place each key is first set by one source; a key set by two axes of the grid is reported.</summary>
    private static Dictionary<string, YamlNode> FirstPlaces(IReadOnlyList<IReadOnlyList<Setting>> points, string source, string fileName, List<ConfigError> errors)
    {
        var places = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var point in points.Take(1))
        {
            foreach (var setting in point)
            {
                if (places.TryGetValue(setting.Key, out var first) && !ReferenceEquals(first, setting.KeySource))
                {
                    errors.Add(new ConfigError(fileName, setting.KeySource.Start, $"{source}.{setting.Key}",
                        $"is set twice by the {source} (also at line {first.Start.Line}, column {first.Start.Column}): a key takes its values from one place"));
                    continue;
                }
                places.TryAdd(setting.Key, setting.KeySource);
            }
        }
        return places;
    }

    private static YamlNode? SharedValue(YamlMappingNode shared, string dottedKey)
    {
        YamlNode? node = shared;
        foreach (var part in dottedKey.Split('.'))
        {
            node = node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(part), out var child) ? child : null;
        }
        return node;
    }
}
