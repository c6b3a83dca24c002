using SweepCluster.Trials;

namespace SweepCluster.Sweeps;

/// <summary>
/// Relative dataset paths in a sweep file mean "beside the sweep file" when the sweep runs in the user's own
/// process. Trial ids are computed from the paths as written, so moving a checkout does not change them.
/// </summary>
public static class DatasetPaths
{
    public static Sweep ResolvedAgainstFile(Sweep sweep)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(sweep.File)) ?? Directory.GetCurrentDirectory();
        return sweep with { Trials = sweep.Trials.Select(t => t with { Spec = t.Spec with { Dataset = Resolve(t.Spec.Dataset, folder) } }).ToList() };
    }

    public static DatasetSpec Resolve(DatasetSpec dataset, string folder) => dataset switch
    {
        CsvDatasetSpec csv => csv with { Path = Against(csv.Path, folder), TestPath = csv.TestPath is null ? null : Against(csv.TestPath, folder) },
        IdxDatasetSpec idx => idx with { Path = Against(idx.Path, folder) },
        _ => dataset,
    };

    private static string Against(string path, string folder) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(folder, path));
}
