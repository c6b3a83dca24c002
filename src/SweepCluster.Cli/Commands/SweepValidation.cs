using SweepCluster.Sweeps;
using SweepCluster.Training.Data;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

internal static class SweepValidation
{
    /// <summary>
    /// Reads the sweep and checks each distinct dataset (files present, classes in them), relative paths
    /// beside the sweep file. Writes nothing. For this process (`run`, `validate`) the sweep comes back with
    /// those paths made absolute; for a cluster (`submit`) they stay as written, for each worker to find
    /// under its data roots.
    /// </summary>
    public static Sweep Load(string path, bool forCluster = false)
    {
        var written = SweepReader.Load(path);
        var resolved = DatasetPaths.ResolvedAgainstFile(written);
        var errors = new List<ConfigError>();
        foreach (var group in resolved.Trials.GroupBy(t => Trials.TrialJson.Serialize(t.Spec.Dataset)))
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
        return errors.Count > 0 ? throw new ConfigException(errors) : forCluster ? written : resolved;
    }
}
