using System.Globalization;
using SweepCluster.Trials.Yaml;
using YamlDotNet.RepresentationModel;

namespace SweepCluster.Sweeps;

/// <summary>
/// Random search: <c>samples</c> draws, from a generator seeded with <c>seed</c> (default 0), of every
/// other key's distribution: <c>{uniform: [low, high]}</c>, <c>{loguniform: [low, high]}</c>,
/// <c>{int: [low, high]}</c> (inclusive) or <c>{choice: [a, b, ...]}</c>. Combined with a grid, each
/// sample is crossed with every grid point, so the sampled values are shared across algorithms and seeds.
/// </summary>
internal static class RandomSearch
{
    private sealed record Distribution(string Key, YamlNode KeyNode, string Kind, double Low, double High, IReadOnlyList<YamlNode> Choices, YamlNode Source);

    public static IReadOnlyList<IReadOnlyList<Setting>> Expand(YamlNode? random, string fileName, List<ConfigError> errors)
    {
        if (random is null)
        {
            return [[]];
        }
        if (random is not YamlMappingNode map)
        {
            errors.Add(new ConfigError(fileName, random.Start, "random", "must be a mapping: samples, seed and one distribution per key"));
            return [];
        }
        int? samples = null;
        var seed = 0;
        var distributions = new List<Distribution>();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            switch (key)
            {
                case "samples":
                    samples = WholeNumber(value, fileName, "random.samples", errors, minimum: 1);
                    if (samples > Trials.InputLimits.Current.MaxTrials)
                    {
                        errors.Add(new ConfigError(fileName, value.Start, "random.samples",
                            $"must be at most {Trials.InputLimits.Current.MaxTrials:N0}, the trials a study may have (SWEEPCLUSTER_MAX_TRIALS), found {samples:N0}"));
                        samples = null;
                    }
                    break;
                case "seed":
                    seed = WholeNumber(value, fileName, "random.seed", errors, minimum: int.MinValue) ?? 0;
                    break;
                default:
                    var distribution = ReadDistribution(key, keyNode, value, fileName, errors);
                    if (distribution is not null)
                    {
                        distributions.Add(distribution);
                    }
                    break;
            }
        }
        if (samples is null)
        {
            if (!map.Children.ContainsKey(new YamlScalarNode("samples")))
            {
                errors.Add(new ConfigError(fileName, map.Start, "random.samples", "is required: how many random draws"));
            }
            return [];
        }

        var generator = new Random(seed);
        var drawn = new List<IReadOnlyList<Setting>>();
        for (var i = 0; i < samples; i++)
        {
            var settings = new List<Setting>();
            foreach (var d in distributions)
            {
                settings.AddRange(Draw(d, generator));
            }
            drawn.Add(settings);
        }
        return drawn;
    }

    private static IEnumerable<Setting> Draw(Distribution d, Random generator)
    {
        string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        switch (d.Kind)
        {
            case "uniform":
                yield return new Setting(d.Key, new YamlScalarNode(Number(d.Low + (generator.NextDouble() * (d.High - d.Low)))).From(d.Source), d.KeyNode);
                break;
            case "loguniform":
                var log = Math.Log(d.Low) + (generator.NextDouble() * (Math.Log(d.High) - Math.Log(d.Low)));
                yield return new Setting(d.Key, new YamlScalarNode(Number(Math.Exp(log))).From(d.Source), d.KeyNode);
                break;
            case "int":
                yield return new Setting(d.Key, new YamlScalarNode(generator.NextInt64((long)d.Low, (long)d.High + 1).ToString(CultureInfo.InvariantCulture)).From(d.Source), d.KeyNode);
                break;
            default:
                var choice = d.Choices[generator.Next(d.Choices.Count)];
                if (TrialKeys.IsTrialKey(d.Key))
                {
                    yield return new Setting(d.Key, choice, d.KeyNode);
                }
                else
                {
                    foreach (var (k, v) in ((YamlMappingNode)choice).Children)
                    {
                        yield return new Setting(((YamlScalarNode)k).Value!, v, k);
                    }
                }
                break;
        }
    }

    private static Distribution? ReadDistribution(string key, YamlNode keyNode, YamlNode value, string fileName, List<ConfigError> errors)
    {
        var path = $"random.{key}";
        if (value is not YamlMappingNode { Children.Count: 1 } spec)
        {
            errors.Add(new ConfigError(fileName, value.Start, path, "must be one distribution: {uniform: [low, high]}, {loguniform: [low, high]}, {int: [low, high]} or {choice: [...]}"));
            return null;
        }
        var (kindNode, arguments) = spec.Children.Single();
        var kind = (kindNode as YamlScalarNode)?.Value ?? "";
        if (kind == "choice")
        {
            if (arguments is not YamlSequenceNode { Children.Count: > 0 } choices)
            {
                errors.Add(new ConfigError(fileName, arguments.Start, path, "choice needs a non-empty list of values"));
                return null;
            }
            if (!TrialKeys.IsTrialKey(key))
            {
                foreach (var choice in choices.Children)
                {
                    if (choice is not YamlMappingNode mapping || mapping.Children.Keys.Any(k => !TrialKeys.IsTrialKey((k as YamlScalarNode)?.Value ?? "")))
                    {
                        errors.Add(new ConfigError(fileName, choice.Start, path, $"'{key}' is not a trial key, so its choices must be mappings of trial keys, e.g. {{algorithm: gd, lr: 0.01}}"));
                        return null;
                    }
                }
            }
            return new Distribution(key, keyNode, kind, 0, 0, choices.Children.ToList(), value);
        }
        if (!TrialKeys.IsTrialKey(key))
        {
            errors.Add(new ConfigError(fileName, value.Start, path, "is not a trial key"));
            return null;
        }
        if (kind is not ("uniform" or "loguniform" or "int"))
        {
            errors.Add(new ConfigError(fileName, kindNode.Start, path, $"unknown distribution '{kind}' (uniform, loguniform, int or choice)"));
            return null;
        }
        if (arguments is not YamlSequenceNode { Children.Count: 2 } bounds
            || !TryNumber(bounds.Children[0], out var low) || !TryNumber(bounds.Children[1], out var high))
        {
            errors.Add(new ConfigError(fileName, arguments.Start, path, $"{kind} needs two numbers [low, high]"));
            return null;
        }
        var problem = kind switch
        {
            _ when low > high || (kind != "int" && low == high) => $"low {low} must be below high {high}",
            "loguniform" when low <= 0 => $"loguniform needs low > 0, found {low}",
            "int" when low != Math.Floor(low) || high != Math.Floor(high) => "int bounds must be whole numbers",
            _ => null,
        };
        if (problem is not null)
        {
            errors.Add(new ConfigError(fileName, arguments.Start, path, problem));
            return null;
        }
        return new Distribution(key, keyNode, kind, low, high, [], value);
    }

    private static bool TryNumber(YamlNode node, out double value)
    {
        value = 0;
        return node is YamlScalarNode s && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    private static int? WholeNumber(YamlNode node, string fileName, string key, List<ConfigError> errors, int minimum)
    {
        if (node is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum)
        {
            return value;
        }
        errors.Add(new ConfigError(fileName, node.Start, key, minimum == 1 ? $"must be a whole number, at least 1, found '{YamlTree.Text(node)}'" : $"must be a whole number, found '{YamlTree.Text(node)}'"));
        return null;
    }
}
