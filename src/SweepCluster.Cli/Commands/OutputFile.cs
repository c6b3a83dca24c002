namespace SweepCluster.Cli.Commands;

/// <summary>
/// Writes an output file through a temporary file in its folder, moved into place only when complete, so
/// a failed or interrupted export never leaves half a file behind.
/// </summary>
internal static class OutputFile
{
    public static async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellation)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"--out {path}: the folder {folder} does not exist");
        }
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(stream);
            }
            cancellation.ThrowIfCancellationRequested();
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
