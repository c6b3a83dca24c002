using System.IO.Compression;
using System.Text;

namespace SweepCluster.Training.Data;

/// <summary>
/// Reads dataset files within fixed bounds, so that no file, however made, can exhaust a process or block
/// it: regular files only (a FIFO or a device has no length), at most <see cref="MaxFileBytes"/> on disk and
/// <see cref="MaxDecompressedBytes"/> of content read once inflated, lines of at most <see cref="MaxLineChars"/>. Errors name
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

    /// <summary>The file as a stream, inflated if it ends in .gz; the caller reads only what it needs, within the bound.</summary>
    public static Stream OpenInflated(string path)
    {
        var file = OpenRegular(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GzipErrors(path, new GZipStream(file, CompressionMode.Decompress)) : file;
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

    /// <summary>A gzip stream whose format errors become dataset errors naming the file.</summary>
    private sealed class GzipErrors(string path, GZipStream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (InvalidDataException)
            {
                throw new DatasetException(path, "not a valid gzip file");
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
