using SweepCluster.Trials;

namespace SweepCluster.Training.Data;

public static class DatasetLoader
{
    public static LoadedDataset Load(DatasetSpec spec) => Load(spec, DataRoots.Unrestricted);

    /// <summary>Loads the dataset, reading files only where <paramref name="roots"/> allow.</summary>
    public static LoadedDataset Load(DatasetSpec spec, DataRoots roots) => spec switch
    {
        SyntheticDatasetSpec s => GaussianData.Synthetic(s),
        TeacherDatasetSpec t => GaussianData.Teacher(t),
        SparseTeacherDatasetSpec s => GaussianData.SparseTeacher(s),
        IdxDatasetSpec i => IdxDataset.Load(i, roots),
        CsvDatasetSpec c => CsvDataset.Load(c, roots),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "unknown dataset kind"),
    };

    /// <summary>Checks what can be checked without training (files, classes); cheap enough for validation.</summary>
    public static void Check(DatasetSpec spec)
    {
        switch (spec)
        {
            case IdxDatasetSpec i:
                IdxDataset.Check(i, DataRoots.Unrestricted);
                break;
            case CsvDatasetSpec c:
                CsvDataset.Load(c, DataRoots.Unrestricted).Dispose();
                break;
        }
    }
}
