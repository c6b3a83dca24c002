using SweepCluster.Sweeps;
using SweepCluster.Training.Data;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

internal static class SweepValidation
{
    /// <summary>
    /// Reads the sweep and, for this process (`run`, `validate`), checks each distinct dataset (files present,
    /// classes in them) with relative paths beside the sweep file, and returns it with those paths made
    /// absolute. For a cluster (`submit`) the paths stay as written and no file is read here: each worker
    /// looks them up under its own data roots, and a trial whose data it cannot find fails saying why.
    /// Writes nothing.
    /// </summary>
    public static Sweep Load(string path, bool forCluster = false)
    {
        var written = SweepReader.Load(path);
        if (forCluster)
        {
            return written;
        }
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
        return errors.Count > 0 ? throw new ConfigException(errors) : resolved;
    }
}
