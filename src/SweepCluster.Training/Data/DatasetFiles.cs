using System.IO.Compression;
using System.Text;

namespace SweepCluster.Training.Data;

/// <summary>
/// Reads dataset files within fixed bounds, so that no file, however made, can exhaust a process or block
/// it: regular files only (a FIFO or a device has no length), at most <see cref="MaxFileBytes"/> on disk and
/// <see cref="MaxDecompressedBytes"/> once inflated, lines of at most <see cref="MaxLineChars"/>. Errors name
/// the file and a position, never what the file holds.
/// </summary>
internal static class DatasetFiles
{
    public const long MaxFileBytes = 512L << 20;
    public const long MaxDecompressedBytes = 512L << 20;
    public const int MaxLineChars = 1 << 20;

    /// <summary>Opens a regular, non-empty file of bounded size; devices, FIFOs, sockets and /proc files report no length and are refused.</summary>
    public static FileStream OpenRegular(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new DatasetException(path, Directory.Exists(path) ? "is a folder, not a file" : "file not found");
        }
        if (info.Length == 0)
        {
            throw new DatasetException(path, "is empty or not a regular file (a device, FIFO or socket is refused)");
        }
        if (info.Length > MaxFileBytes)
        {
            throw new DatasetException(path, $"is {info.Length:N0} bytes, more than the {MaxFileBytes:N0} a dataset file may have");
        }
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (UnauthorizedAccessException)
        {
            throw new DatasetException(path, "cannot be read (permission denied)");
        }
        catch (IOException e)
        {
            throw new DatasetException(path, $"cannot be read ({e.GetType().Name})");
        }
    }

    /// <summary>The whole file, inflated if it ends in .gz, refusing to inflate past the bound.</summary>
    public static byte[] ReadAll(string path)
    {
        using var file = OpenRegular(path);
        try
        {
            using Stream source = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var memory = new MemoryStream();
            var buffer = new byte[1 << 16];
            int read;
            while ((read = source.Read(buffer)) > 0)
            {
                if (memory.Length + read > MaxDecompressedBytes)
                {
                    throw new DatasetException(path, $"inflates to more than {MaxDecompressedBytes:N0} bytes, the most a dataset file may hold");
                }
                memory.Write(buffer, 0, read);
            }
            return memory.ToArray();
        }
        catch (InvalidDataException)
        {
            throw new DatasetException(path, "not a valid gzip file");
        }
        catch (EndOfStreamException)
        {
            throw new DatasetException(path, "truncated gzip file");
        }
    }

    /// <summary>The file's lines as UTF-8, each at most <see cref="MaxLineChars"/> long.</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(OpenRegular(path), Encoding.UTF8);
        var line = new StringBuilder();
        var number = 1;
        var buffer = new char[1 << 14];
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    yield return line.ToString();
                    line.Clear();
                    number++;
                    continue;
                }
                if (line.Length >= MaxLineChars)
                {
                    throw new DatasetException(path, $"line {number} is longer than {MaxLineChars:N0} characters");
                }
                line.Append(c);
            }
        }
        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }
}
