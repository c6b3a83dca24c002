namespace SweepCluster.Training.Data;

/// <summary>A dataset that cannot be loaded: names the file and what is wrong with it.</summary>
public sealed class DatasetException(string file, string problem)
    : Exception($"{file}: {problem}")
{
    public string File { get; } = file;

    public string Problem { get; } = problem;
}
