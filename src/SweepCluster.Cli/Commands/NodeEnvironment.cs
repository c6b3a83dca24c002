using System.Globalization;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

/// <summary>A node's SWEEPCLUSTER_* environment variables; a bad value names the variable and exits 2.</summary>
internal static class NodeEnvironment
{
    public const string Prefix = "SWEEPCLUSTER_";

    public static string? Text(string name) => Environment.GetEnvironmentVariable(Prefix + name) is { Length: > 0 } value ? value : null;

    public static IReadOnlyList<string>? List(string name) => Text(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A whole number from the flag, else the variable, else the settings file, else the default; each checked against the bounds.</summary>
    public static int Bounded(string flag, int? fromFlag, string variable, int? fromFile, string file, string key, int fallback, int min, int max)
    {
        if (fromFlag is { } f)
        {
            return f >= min && f <= max ? f : throw Error("command line", flag, $"must be between {min} and {max}, found {f}");
        }
        if (Text(variable) is { } text)
        {
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v
                : throw Error("environment", Prefix + variable, $"must be a whole number between {min} and {max}, found '{text}'");
        }
        if (fromFile is { } fromSettings)
        {
            return fromSettings >= min && fromSettings <= max ? fromSettings : throw Error(file, key, $"must be between {min} and {max}, found {fromSettings}");
        }
        return fallback;
    }

    private static ConfigException Error(string where, string key, string message) => new([new ConfigError(where, 0, 0, key, message)]);
}
