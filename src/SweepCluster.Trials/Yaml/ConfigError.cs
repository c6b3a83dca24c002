using YamlDotNet.Core;

namespace SweepCluster.Trials.Yaml;

/// <summary>One problem in a configuration file, located well enough for a user to fix it.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Key, string Message)
{
    public ConfigError(string file, Mark mark, string key, string message)
        : this(file, (int)mark.Line, (int)mark.Column, key, message)
    {
    }

    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        return Key.Length == 0 ? $"{where}: {Message}" : $"{where}: {Key}: {Message}";
    }
}

/// <summary>A configuration that cannot be used, with every problem found in it.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
