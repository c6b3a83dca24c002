using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Trials.Yaml;

/// <summary>Reads one trial's keys from a YAML file (what `sweepcluster train --config` takes).</summary>
public static class TrialYaml
{
    private static readonly HashSet<string> ListKeys = new(StringComparer.Ordinal) { "dataset.classes" };

    public static TrialSpec Load(string path, IEnumerable<KeyOverride>? overrides = null)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new ConfigException([new ConfigError(path, 0, 0, "", "file not found")]);
        }
        return Parse(System.IO.File.ReadAllText(path), path, overrides);
    }

    /// <summary>A trial from overrides alone (command-line flags with no config file).</summary>
    public static TrialSpec FromOverrides(IEnumerable<KeyOverride> overrides) =>
        Parse("{}", "command line", overrides);

    public static TrialSpec Parse(string yaml, string fileName, IEnumerable<KeyOverride>? overrides = null)
    {
        var root = ParseRoot(yaml, fileName);
        foreach (var o in overrides ?? [])
        {
            o.ApplyTo(root, ListKeys);
        }
        var errors = new List<ConfigError>();
        var spec = Bind(root, fileName, errors);
        if (errors.Count > 0 || spec is null)
        {
            throw new ConfigException(errors);
        }
        return spec;
    }

    /// <summary>Reads a trial from a mapping of trial keys; problems go to <paramref name="errors"/>.</summary>
    internal static TrialSpec? Bind(YamlMappingNode trialKeys, string fileName, List<ConfigError> errors)
    {
        var map = new ConfigMap(trialKeys, fileName, "", errors);
        var spec = TrialSpecReader.Read(map);
        map.ReportUnknownKeys();
        return spec;
    }

    /// <summary>The document's top-level mapping; syntax errors become located config errors.</summary>
    internal static YamlMappingNode ParseRoot(string yaml, string fileName)
    {
        YamlGuard.Check(yaml, fileName, InputLimits.Current);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException([new ConfigError(fileName, e.Start, "", $"is not valid YAML: {e.InnerException?.Message ?? e.Message}")]);
        }
        catch (ArgumentException e)
        {
            // What YamlDotNet's tree builder throws for an event sequence it cannot use; the guard above
            // locates the cases known to cause it, so this is the last resort.
            throw new ConfigException([new ConfigError(fileName, 1, 1, "", $"is not valid YAML: {e.Message}")]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way (without a position) when the text ends inside an open
            // flow collection, e.g. "[1, 2" or "{a: 1".
            var lines = yaml.Split('\n');
            throw new ConfigException([new ConfigError(fileName, lines.Length, lines[^1].Length + 1, "", "is not valid YAML: the file ends inside an unclosed [ ] or { }")]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigException([new ConfigError(fileName, 1, 1, "", "must be a YAML mapping of keys (dataset, model, algorithm, ...)")]);
        }
        return root;
    }
}
