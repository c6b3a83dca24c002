using SweepCluster.Trials.Yaml;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Sweeps;

/// <summary>
/// The grid: every axis is a list, and the trials are the cartesian product of the axes. An axis named
/// after a trial key (<c>lr</c>, <c>seed</c>, <c>model.width</c>) sets that key. Any other name (say
/// <c>optimizer</c>) is a label whose values are mappings that set several keys at once: how conditional
/// hyperparameters are written, e.g. <c>{algorithm: adam, lr: 1e-3, eps: 0}</c>.
/// </summary>
internal static class Grid
{
    public static IReadOnlyList<IReadOnlyList<Setting>> Expand(YamlNode? grid, string fileName, List<ConfigError> errors)
    {
        List<IReadOnlyList<Setting>> points = [[]];
        if (grid is null)
        {
            return points;
        }
        if (grid is not YamlMappingNode axes)
        {
            errors.Add(new ConfigError(fileName, grid.Start, "grid", "must be a mapping of axes, e.g. grid: {seed: [0, 1], lr: [0.1, 0.01]}"));
            return points;
        }
        foreach (var (nameNode, valuesNode) in axes.Children)
        {
            var name = (nameNode as YamlScalarNode)?.Value ?? "";
            var key = $"grid.{name}";
            if (valuesNode is not YamlSequenceNode values)
            {
                errors.Add(new ConfigError(fileName, valuesNode.Start, key, $"must be a list of values, e.g. {name}: [a, b]"));
                continue;
            }
            if (values.Children.Count == 0)
            {
                errors.Add(new ConfigError(fileName, valuesNode.Start, key, "is empty: an axis needs at least one value"));
                continue;
            }
            var settings = new List<IReadOnlyList<Setting>>();
            foreach (var value in values.Children)
            {
                var setting = Settings(name, nameNode, value, fileName, key, errors);
                if (setting is not null)
                {
                    settings.Add(setting);
                }
            }
            var maxTrials = Trials.InputLimits.Current.MaxTrials;
            if ((long)points.Count * settings.Count > maxTrials)
            {
                errors.Add(new ConfigError(fileName, nameNode.Start, key,
                    $"takes the grid to {(long)points.Count * settings.Count:N0} points or more, beyond the {maxTrials:N0} trials a study may have (SWEEPCLUSTER_MAX_TRIALS)"));
                return points;
            }
            points = points.SelectMany(p => settings.Select(s => (IReadOnlyList<Setting>)[.. p, .. s])).ToList();
        }
        return points;
    }

    private static List<Setting>? Settings(string axis, YamlNode axisNode, YamlNode value, string fileName, string key, List<ConfigError> errors)
    {
        if (TrialKeys.IsTrialKey(axis))
        {
            return [new Setting(axis, value, axisNode)];
        }
        if (value is not YamlMappingNode map)
        {
            errors.Add(new ConfigError(fileName, value.Start, key,
                $"'{axis}' is not a trial key, so its values must be mappings of trial keys, e.g. {{algorithm: gd, lr: 0.01}}; found '{YamlTree.Text(value)}'"));
            return null;
        }
        var settings = new List<Setting>();
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!TrialKeys.IsTrialKey(name))
            {
                errors.Add(new ConfigError(fileName, k.Start, $"{key}.{name}", "is not a trial key"));
                continue;
            }
            settings.Add(new Setting(name, v, k));
        }
        return settings;
    }
}
