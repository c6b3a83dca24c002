using SweepCluster.Query;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Cli.Commands;

internal static class CheckpointAtOption
{
    /// <summary>final, fit or step=N.</summary>
    public static CheckpointAt Parse(string? text) =>
        CheckpointAt.Parse(text) ?? throw new QueryException($"--at '{text}': expected {CheckpointAt.Forms}");
}
