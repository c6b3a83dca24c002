using System.Runtime.CompilerServices;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Trials.Yaml;

/// <summary>
/// Nodes made by the program (a value drawn for a random search, say) have no place in the file; errors
/// about them point at the node they came from (the distribution that drew them).
/// </summary>
internal static class NodeOrigins
{
    private static readonly ConditionalWeakTable<YamlNode, YamlNode> Origins = [];

    public static T From<T>(this T made, YamlNode source)
        where T : YamlNode
    {
        Origins.AddOrUpdate(made, SourceOf(source));
        return made;
    }

    public static YamlNode SourceOf(YamlNode node) => Origins.TryGetValue(node, out var source) ? source : node;
}
