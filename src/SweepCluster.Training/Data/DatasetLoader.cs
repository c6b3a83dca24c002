using SweepCluster.Trials;

namespace SweepCluster.Training.Data;

public static class DatasetLoader
{
    public static LoadedDataset Load(DatasetSpec spec) => spec switch
    {
        SyntheticDatasetSpec s => GaussianData.Synthetic(s),
        TeacherDatasetSpec t => GaussianData.Teacher(t),
        IdxDatasetSpec i => IdxDataset.Load(i),
        CsvDatasetSpec c => CsvDataset.Load(c),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "unknown dataset kind"),
    };

    /// <summary>Checks what can be checked without training (files, classes); cheap enough for validation.</summary>
    public static void Check(DatasetSpec spec)
    {
        switch (spec)
        {
            case IdxDatasetSpec i:
                IdxDataset.Check(i);
                break;
            case CsvDatasetSpec c:
                CsvDataset.Load(c).Dispose();
                break;
        }
    }
}
