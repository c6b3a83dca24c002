using SweepCluster.Sweeps;
using SweepCluster.Training.Data;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

internal static class SweepValidation
{
    /// <summary>Reads the sweep and checks each distinct dataset (files present, classes in them). Writes nothing.</summary>
    public static Sweep Load(string path)
    {
        var sweep = SweepReader.Load(path);
        var errors = new List<ConfigError>();
        foreach (var group in sweep.Trials.GroupBy(t => Trials.TrialJson.Serialize(t.Spec.Dataset)))
        {
            try
            {
                DatasetLoader.Check(group.First().Spec.Dataset);
            }
            catch (DatasetException e)
            {
                var location = group.First().DatasetLocation;
                errors.Add(new ConfigError(location, 0, 0, "", e.Message));
            }
        }
        return errors.Count > 0 ? throw new ConfigException(errors) : sweep;
    }
}
