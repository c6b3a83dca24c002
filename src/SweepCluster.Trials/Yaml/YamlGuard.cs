using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace SweepCluster.Trials.Yaml;

/// <summary>
/// Reads a configuration file's YAML events before any tree is built, refusing what could exhaust the
/// process: aliases (a few lines of anchors expand to billions of nodes wherever the tree is walked),
/// nesting deeper than a configuration needs (recursion would overflow the stack), too many nodes, and
/// files larger than a configuration can be. Every refusal is located.
/// </summary>
public static class YamlGuard
{
    public static void Check(string yaml, string fileName, InputLimits limits)
    {
        if (yaml.Length > limits.MaxSweepFileBytes)
        {
            throw Refused(fileName, 1, 1, $"is {yaml.Length:N0} characters long, more than the {limits.MaxSweepFileBytes:N0} a configuration file may have (SWEEPCLUSTER_MAX_SWEEP_FILE_BYTES)");
        }
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        var nodes = 0;
        // Per open collection: whether it is a mapping, how many nodes it holds so far, where its last key began.
        var open = new Stack<(bool Mapping, int Children, Mark LastKey)>();
        var lastEnd = new Mark(0, 1, 1);
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                lastEnd = current.End;
                if (current is NodeEvent && open.TryPop(out var parent))
                {
                    // YamlDotNet's parser can end a mapping on a key with no value, which its tree builder then rejects without a position.
                    open.Push(parent with { Children = parent.Children + 1, LastKey = parent.Mapping && parent.Children % 2 == 0 ? current.Start : parent.LastKey });
                }
                switch (current)
                {
                    case MappingEnd when open.TryPeek(out var mapping) && mapping.Mapping && mapping.Children % 2 == 1:
                        throw Refused(fileName, mapping.LastKey, "is not valid YAML: a key with no value and no ':' after it");
                    case AnchorAlias alias:
                        throw Refused(fileName, alias.Start, $"YAML aliases (*{alias.Value}) are not accepted: write the value out, or use a grid axis for values that repeat");
                    case MappingStart or SequenceStart:
                        if (++depth > limits.MaxYamlDepth)
                        {
                            throw Refused(fileName, current.Start, $"nests deeper than {limits.MaxYamlDepth} levels");
                        }
                        open.Push((current is MappingStart, 0, current.Start));
                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        open.TryPop(out _);
                        break;
                }
                if (current is NodeEvent && ++nodes > limits.MaxYamlNodes)
                {
                    throw Refused(fileName, current.Start, $"has more than {limits.MaxYamlNodes:N0} values (SWEEPCLUSTER_MAX_YAML_NODES)");
                }
            }
        }
        catch (YamlException)
        {
            // Syntax errors are reported, located, by the reader that builds the tree.
        }
        catch (ArgumentException e)
        {
            // YamlDotNet's parser throws this, without a position, for a malformed tag: it is located after the last event read.
            throw Refused(fileName, lastEnd, $"is not valid YAML: {e.Message.Split(" (Parameter", 2)[0]}");
        }
        catch (InvalidOperationException)
        {
            // As above: YamlDotNet's scanner reports an unclosed flow collection this way.
        }
    }

    private static ConfigException Refused(string fileName, Mark mark, string message) => Refused(fileName, (int)mark.Line, (int)mark.Column, message);

    private static ConfigException Refused(string fileName, int line, int column, string message) =>
        new([new ConfigError(fileName, line, column, "", message)]);
}
