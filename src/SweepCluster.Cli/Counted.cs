namespace SweepCluster.Cli;

/// <summary>"1 trial", "2 trials": a count with its noun in the right number.</summary>
internal static class Counted
{
    public static string Of(long count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
