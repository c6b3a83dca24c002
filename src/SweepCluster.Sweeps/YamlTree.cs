using SweepCluster.Trials.Yaml;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Sweeps;

/// <summary>Persistent updates of YAML mappings: setting a dotted key copies only the mappings on its path.</summary>
internal static class YamlTree
{
    /// <param name="keySource">Where the key is written in the file: errors about the key point there.</param>
    public static YamlMappingNode With(YamlMappingNode root, string dottedKey, YamlNode value, YamlNode keySource)
    {
        var dot = dottedKey.IndexOf('.', StringComparison.Ordinal);
        var copy = Copy(root);
        if (dot < 0)
        {
            copy.Children.Remove(new YamlScalarNode(dottedKey));
            copy.Children.Add(new YamlScalarNode(dottedKey).From(keySource), value);
            return copy;
        }
        var head = dottedKey[..dot];
        var section = copy.Children.TryGetValue(new YamlScalarNode(head), out var existing) && existing is YamlMappingNode map
            ? map
            : new YamlMappingNode();
        copy.Children[new YamlScalarNode(head)] = With(section, dottedKey[(dot + 1)..], value, keySource);
        return copy;
    }

    private static YamlMappingNode Copy(YamlMappingNode source)
    {
        var copy = new YamlMappingNode();
        foreach (var (key, value) in source.Children)
        {
            copy.Children.Add(key, value);
        }
        return copy;
    }

    public static string Text(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value ?? "",
        YamlSequenceNode seq => "[" + string.Join(", ", seq.Children.Select(Text)) + "]",
        YamlMappingNode map => "{" + string.Join(", ", map.Children.Select(kv => $"{Text(kv.Key)}: {Text(kv.Value)}")) + "}",
        _ => "",
    };
}
