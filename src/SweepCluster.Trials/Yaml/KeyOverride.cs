using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Trials.Yaml;

/// <summary>A value for a dotted trial key given outside the file, e.g. --lr on the command line.</summary>
public sealed record KeyOverride(string Key, string Value, string Origin)
{
    /// <summary>Marks nodes that came from an override, so errors about them name their origin, not a file line.</summary>
    internal static readonly TagName Tag = new("!override");

    /// <summary>
    /// Sets the key in the document, creating sections as needed. A comma-separated value for a list key
    /// becomes a list. Changing dataset.kind replaces the whole dataset section, since the keys of one kind
    /// do not apply to another.
    /// </summary>
    internal void ApplyTo(YamlMappingNode root, ISet<string> listKeys)
    {
        var parts = Key.Split('.');
        var map = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            var key = new YamlScalarNode(parts[i]);
            if (!map.Children.TryGetValue(key, out var child) || child is not YamlMappingNode childMap
                || (Key == "dataset.kind" && KindDiffers(childMap)))
            {
                childMap = new YamlMappingNode { Tag = Tag };
                map.Children[key] = childMap;
            }
            map = childMap;
        }
        YamlNode value = listKeys.Contains(Key)
            ? new YamlSequenceNode(Value.Split(',', StringSplitOptions.TrimEntries).Select(v => new YamlScalarNode(v) { Tag = Tag })) { Tag = Tag }
            : new YamlScalarNode(Value) { Tag = Tag, Style = ScalarStyle.Plain };
        map.Children[new YamlScalarNode(parts[^1])] = value;
    }

    private bool KindDiffers(YamlMappingNode dataset) =>
        !dataset.Children.TryGetValue(new YamlScalarNode("kind"), out var kind) || (kind as YamlScalarNode)?.Value != Value;
}
