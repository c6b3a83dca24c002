namespace SweepCluster.Cli.Tests;

/// <summary>Reads a file another process still writes (a running node's log).</summary>
internal static class SharedFile
{
    public static string ReadAll(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
