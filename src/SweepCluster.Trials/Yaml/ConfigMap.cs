using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Trials.Yaml;

/// <summary>
/// Reads the keys of one YAML mapping, converting and checking each, and collecting every problem
/// (with file, line, column and the dotted key) instead of stopping at the first. Keys that were never
/// read are reported as unknown, which is how typos are caught.
/// </summary>
internal sealed class ConfigMap
{
    private readonly YamlMappingNode _node;
    private readonly string _prefix;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public ConfigMap(YamlMappingNode node, string file, string prefix, List<ConfigError> errors)
    {
        _node = node;
        File = file;
        _prefix = prefix;
        Errors = errors;
    }

    public string File { get; }

    public List<ConfigError> Errors { get; }

    public YamlMappingNode Node => _node;

    public string KeyPath(string key) => _prefix.Length == 0 ? key : $"{_prefix}.{key}";

    public bool Has(string key) => Find(key) is not null;

    public YamlNode? Find(string key)
    {
        foreach (var (k, v) in _node.Children)
        {
            if (k is YamlScalarNode s && s.Value == key)
            {
                return v;
            }
        }
        return null;
    }

    public void Error(YamlNode at, string key, string message)
    {
        var located = NodeOrigins.SourceOf(at);
        Errors.Add(located.Tag == KeyOverride.Tag
            ? new ConfigError("command line", 0, 0, KeyPath(key), message)
            : new ConfigError(File, located.Start, KeyPath(key), message));
    }

    public void Error(string key, string message) => Error(Find(key) ?? _node, key, message);

    private bool TryScalar(string key, out YamlScalarNode scalar, bool required)
    {
        _read.Add(key);
        scalar = null!;
        var node = Find(key);
        if (node is null)
        {
            if (required)
            {
                Error(_node, key, "is required");
            }
            return false;
        }
        if (node is YamlScalarNode s && s.Value is not null && !(s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is "~" or "null" or ""))
        {
            scalar = s;
            return true;
        }
        Error(node, key, node is YamlScalarNode ? "must have a value" : "must be a single value, not a list or a mapping");
        return false;
    }

    public string? String(string key, string? fallback = null, bool required = false) =>
        TryScalar(key, out var s, required) ? s.Value! : fallback;

    public double? Double(string key, double? fallback = null, bool required = false)
    {
        if (!TryScalar(key, out var s, required))
        {
            return fallback;
        }
        var text = s.Value!.Trim();
        if (text is ".inf" or ".Inf" or "inf" or "+inf")
        {
            return double.PositiveInfinity;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && !double.IsNaN(value))
        {
            return value;
        }
        Error(s, key, $"must be a number, found '{text}'");
        return fallback;
    }

    public int? Int(string key, int? fallback = null, bool required = false)
    {
        if (!TryScalar(key, out var s, required))
        {
            return fallback;
        }
        var text = s.Value!.Trim();
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue)
        {
            return (int)d;
        }
        Error(s, key, $"must be a whole number, found '{text}'");
        return fallback;
    }

    public bool? Bool(string key, bool? fallback = null)
    {
        if (!TryScalar(key, out var s, required: false))
        {
            return fallback;
        }
        var text = s.Value!.Trim();
        if (text is "true" or "True" or "TRUE")
        {
            return true;
        }
        if (text is "false" or "False" or "FALSE")
        {
            return false;
        }
        Error(s, key, $"must be true or false, found '{text}'");
        return fallback;
    }

    public TEnum Choice<TEnum>(string key, TEnum fallback)
        where TEnum : struct, Enum =>
        TryScalar(key, out var s, required: false) ? ParseChoice(s, key, fallback) : fallback;

    public TEnum? RequiredChoice<TEnum>(string key)
        where TEnum : struct, Enum =>
        TryScalar(key, out var s, required: true) ? ParseChoice<TEnum?>(s, key, null) : null;

    private T ParseChoice<T>(YamlScalarNode s, string key, T fallback)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        var text = s.Value!.Trim();
        foreach (var value in System.Enum.GetValues(type))
        {
            if (string.Equals(Names.Kebab(value.ToString()!), text, StringComparison.OrdinalIgnoreCase))
            {
                return (T)value;
            }
        }
        var allowed = string.Join(", ", System.Enum.GetNames(type).Select(Names.Kebab));
        Error(s, key, $"must be one of {allowed}, found '{text}'");
        return fallback;
    }

    public IReadOnlyList<int>? IntList(string key, bool required = false)
    {
        _read.Add(key);
        var node = Find(key);
        if (node is null)
        {
            if (required)
            {
                Error(_node, key, "is required");
            }
            return null;
        }
        if (node is not YamlSequenceNode seq)
        {
            Error(node, key, "must be a list of whole numbers, e.g. [0, 6]");
            return null;
        }
        var values = new List<int>();
        foreach (var item in seq.Children)
        {
            if (item is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            {
                values.Add(v);
            }
            else
            {
                Error(item, key, $"must be a list of whole numbers, found '{(item as YamlScalarNode)?.Value ?? item.NodeType.ToString()}'");
                return null;
            }
        }
        return values;
    }

    /// <summary>A nested mapping, or null (with an error if it is present but not a mapping).</summary>
    public ConfigMap? Map(string key, bool required = false)
    {
        _read.Add(key);
        var node = Find(key);
        if (node is null)
        {
            if (required)
            {
                Error(_node, key, "is required");
            }
            return null;
        }
        if (node is YamlMappingNode map)
        {
            return new ConfigMap(map, File, KeyPath(key), Errors);
        }
        Error(node, key, "must be a mapping of keys, e.g. {depth: 2, width: 64}");
        return null;
    }

    /// <summary>Marks keys as known without reading them (they belong to another reader).</summary>
    public void Accept(params string[] keys)
    {
        foreach (var key in keys)
        {
            _read.Add(key);
        }
    }

    /// <summary>Every key that no reader asked for is a typo or a key of another section.</summary>
    public void ReportUnknownKeys()
    {
        foreach (var (k, _) in _node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!_read.Contains(name))
            {
                var known = string.Join(", ", _read.Order(StringComparer.Ordinal));
                Error(k, name, $"is not a known key here (known: {known})");
            }
        }
    }

    // Checks on values already read: each names the key and what is wrong.
    public void Require(bool condition, string key, string message)
    {
        if (!condition)
        {
            Error(key, message);
        }
    }
}
