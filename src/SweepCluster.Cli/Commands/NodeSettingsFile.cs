using System.Globalization;
using SweepCluster.Trials;
using SweepCluster.Trials.Yaml;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// A node's settings from a file in cluster-config/ (YAML: roles, host, public_host, port, seeds, slots,
/// store, save_state_seconds, tls, insecure, data_roots). Unknown keys and wrong types are errors naming the file, line and key.
/// </summary>
internal sealed record NodeSettingsFile(
    IReadOnlyList<string>? Roles, string? Host, string? PublicHost, int? Port, IReadOnlyList<string>? Seeds, int? Slots, string? Store, double? SaveStateSeconds,
    string? Tls = null, bool? Insecure = null, IReadOnlyList<string>? DataRoots = null)
{
    private static readonly HashSet<string> Keys = ["roles", "host", "public_host", "port", "seeds", "slots", "store", "save_state_seconds", "tls", "insecure", "data_roots"];

    public static NodeSettingsFile Empty { get; } = new(null, null, null, null, null, null, null, null);

    public static NodeSettingsFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException([new ConfigError(path, 0, 0, "", "file not found")]);
        }
        var text = File.ReadAllText(path);
        YamlGuard.Check(text, path, InputLimits.Current);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ConfigException([new ConfigError(path, e.Start, "", $"is not valid YAML: {e.Message}")]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigException([new ConfigError(path, 1, 1, "", "must be a mapping of node settings")]);
        }
        var errors = new List<ConfigError>();
        string? Text(string key) => root.Children.TryGetValue(new YamlScalarNode(key), out var n) ? (n as YamlScalarNode)?.Value ?? Bad(n, key, "must be a single value") : null;
        string? Bad(YamlNode node, string key, string message)
        {
            errors.Add(new ConfigError(path, node.Start, key, message));
            return null;
        }
        IReadOnlyList<string>? List(string key)
        {
            if (!root.Children.TryGetValue(new YamlScalarNode(key), out var node))
            {
                return null;
            }
            if (node is YamlSequenceNode seq && seq.Children.All(c => c is YamlScalarNode))
            {
                return seq.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList();
            }
            Bad(node, key, "must be a list, e.g. [coordinator]");
            return null;
        }
        int? Int(string key)
        {
            var text = Text(key);
            if (text is null)
            {
                return null;
            }
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                return value;
            }
            Bad(root.Children[new YamlScalarNode(key)], key, $"must be a whole number, zero or more, found '{text}'");
            return null;
        }
        foreach (var key in root.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!Keys.Contains(name))
            {
                errors.Add(new ConfigError(path, key.Start, name, $"is not a known key (known: {string.Join(", ", Keys.Order())})"));
            }
        }
        var saveText = Text("save_state_seconds");
        double? save = null;
        if (saveText is not null)
        {
            if (double.TryParse(saveText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                save = seconds;
            }
            else
            {
                Bad(root.Children[new YamlScalarNode("save_state_seconds")], "save_state_seconds", $"must be a positive number, found '{saveText}'");
            }
        }
        var insecureText = Text("insecure");
        bool? insecure = insecureText switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => Bad(root.Children[new YamlScalarNode("insecure")], "insecure", $"must be true or false, found '{insecureText}'") is null ? null : null,
        };
        var settings = new NodeSettingsFile(List("roles"), Text("host"), Text("public_host"), Int("port"), List("seeds"), Int("slots"), Text("store"), save,
            Text("tls"), insecure, List("data_roots"));
        return errors.Count > 0 ? throw new ConfigException(errors) : settings;
    }
}
