namespace SweepCluster.Cli.Tests;

/// <summary>A two-trial sweep that finishes in a second or two: for tests about what surrounds a run, not the run.</summary>
internal static class QuickSweep
{
    /// <summary>Writes <c>quick.yaml</c> (study <c>quick</c>) into <paramref name="folder"/> and returns its name.</summary>
    public static string Write(string folder, int steps = 200, int checkpointEvery = 50)
    {
        File.WriteAllText(Path.Combine(folder, "quick.yaml"), $$"""
            study: quick
            dataset: {kind: synthetic, n: 20, dim: 4, seed: 1}
            model: {width: 8}
            steps: {{steps}}
            checkpoint_every: {{checkpointEvery}}
            grid:
              algorithm: [gd, sign]
              lr: [0.01]
            """);
        return "quick.yaml";
    }
}
