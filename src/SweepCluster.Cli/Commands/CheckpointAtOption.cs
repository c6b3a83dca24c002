using System.Globalization;
using SweepCluster.Query;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Cli.Commands;

internal static class CheckpointAtOption
{
    /// <summary>final, fit or step=N.</summary>
    public static CheckpointAt Parse(string? text) => text switch
    {
        null or "final" => new CheckpointAt.Last(),
        "fit" => new CheckpointAt.FirstFit(),
        _ when text.StartsWith("step=", StringComparison.Ordinal) && long.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var step)
            => new CheckpointAt.AtStep(step),
        _ => throw new QueryException($"--at '{text}': expected final, fit or step=N (N a whole number of steps)"),
    };
}
