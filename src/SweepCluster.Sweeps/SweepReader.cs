using System.Globalization;
using System.Text.RegularExpressions;
using SweepCluster.Trials;
using SweepCluster.Trials.Yaml;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Sweeps;

/// <summary>
/// Reads a sweep file: a study name, the trial keys shared by every trial, a <c>grid</c> whose axes
/// multiply, and a <c>random</c> search whose samples multiply the grid. Every problem is reported with
/// file, line, column and key, and a sweep with any problem yields no trials.
/// </summary>
public static partial class SweepReader
{
    private static readonly HashSet<string> StudyKeys = new(StringComparer.Ordinal) { "study", "description", "max_retries", "grid", "random", SchedulerReader.Key };

    public static Sweep Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException([new ConfigError(path, 0, 0, "", "file not found")]);
        }
        return Parse(File.ReadAllText(path), path);
    }

    public static Sweep Parse(string yaml, string fileName)
    {
        var root = TrialYaml.ParseRoot(yaml, fileName);
        var errors = new List<ConfigError>();
        var study = ReadStudy(root, fileName, errors);
        var maxRetries = ReadMaxRetries(root, fileName, errors);
        var description = (Find(root, "description") as YamlScalarNode)?.Value;
        var scheduler = SchedulerReader.Read(Find(root, SchedulerReader.Key), fileName, errors);

        var trialKeys = new YamlMappingNode();
        foreach (var (key, value) in root.Children)
        {
            if (!StudyKeys.Contains((key as YamlScalarNode)?.Value ?? ""))
            {
                trialKeys.Children.Add(key, value);
            }
        }
        // Axes with problems are reported and left out; the trials of the rest are still checked, so
        // one pass reports every problem in the file.
        var gridPoints = Grid.Expand(Find(root, "grid"), fileName, errors);
        var samples = RandomSearch.Expand(Find(root, "random"), fileName, errors);
        var notes = KeySources.Check(trialKeys, gridPoints, samples, fileName, errors);

        var maxTrials = InputLimits.Current.MaxTrials;
        if ((long)gridPoints.Count * samples.Count > maxTrials)
        {
            errors.Add(new ConfigError(fileName, (Find(root, "random") ?? root).Start, "random.samples",
                $"times the grid's {gridPoints.Count:N0} points makes {(long)gridPoints.Count * samples.Count:N0} trials, beyond the {maxTrials:N0} a study may have (SWEEPCLUSTER_MAX_TRIALS)"));
            throw new ConfigException(errors);
        }
        var trials = new List<SweepTrial>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            foreach (var point in gridPoints)
            {
                var keys = trialKeys;
                foreach (var setting in point.Concat(sample))
                {
                    keys = YamlTree.With(keys, setting.Key, setting.Value, setting.KeySource);
                }
                var trialErrors = new List<ConfigError>();
                var spec = TrialYaml.Bind(keys, fileName, trialErrors);
                // One report per place and key: many trials share a mistake, and random draws at one place differ only in value.
                foreach (var error in trialErrors.Where(e => !errors.Any(seen => (seen.Line, seen.Column, seen.Key) == (e.Line, e.Column, e.Key))))
                {
                    errors.Add(error);
                }
                if (spec is null || trialErrors.Count > 0)
                {
                    continue;
                }
                var id = TrialJson.StableId(spec);
                if (seen.Add(id))
                {
                    trials.Add(new SweepTrial(id, spec, DatasetLocation(keys, fileName)));
                }
            }
        }
        if (scheduler is not null)
        {
            SchedulerReader.CheckAgainst(scheduler, Find(root, SchedulerReader.Key)!, trials, fileName, errors);
        }
        if (errors.Count > 0 || study is null)
        {
            throw new ConfigException(errors);
        }
        return new Sweep(study, description, fileName, maxRetries, trials) { Scheduler = scheduler, Notes = notes };
    }

    internal static YamlNode? Find(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string DatasetLocation(YamlMappingNode keys, string fileName)
    {
        var node = Find(keys, "dataset");
        return node is null ? fileName : $"{fileName}:{NodeOrigins.SourceOf(node).Start.Line}:{NodeOrigins.SourceOf(node).Start.Column}: dataset";
    }

    private static string? ReadStudy(YamlMappingNode root, string fileName, List<ConfigError> errors)
    {
        var node = Find(root, "study");
        if (node is not YamlScalarNode { Value: { Length: > 0 } name })
        {
            errors.Add(new ConfigError(fileName, (node ?? root).Start, "study", "is required: a name for the study, e.g. study: margins-v1"));
            return null;
        }
        if (!StudyName().IsMatch(name))
        {
            errors.Add(new ConfigError(fileName, node.Start, "study", $"must be letters, digits, '.', '_' or '-' (at most 100), found '{name}'"));
            return null;
        }
        return name;
    }

    private static int ReadMaxRetries(YamlMappingNode root, string fileName, List<ConfigError> errors)
    {
        var node = Find(root, "max_retries");
        if (node is null)
        {
            return 2;
        }
        if (node is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var retries) && retries >= 0)
        {
            return retries;
        }
        errors.Add(new ConfigError(fileName, node.Start, "max_retries", $"must be a whole number, zero or more, found '{YamlTree.Text(node)}'"));
        return 2;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex StudyName();
}
