using System.Buffers.Binary;

namespace SweepCluster.Training.Data;

/// <summary>The MNIST IDX format: a big-endian magic number and dimension sizes, then unsigned bytes.</summary>
internal static class IdxFiles
{
    private const int LabelsMagic = 0x00000801;
    private const int ImagesMagic = 0x00000803;

    public sealed record Images(int Count, int Rows, int Columns, byte[] Pixels);

    /// <summary>Finds <c>{prefix}-{kind}-idx?-ubyte</c>, raw or .gz, also with a dot before idx as some mirrors name it.</summary>
    public static string Find(string folder, string prefix, string kind, int rank)
    {
        if (!Directory.Exists(folder))
        {
            throw new DatasetException(folder, "folder not found (for Fashion-MNIST: apt-get install dataset-fashion-mnist)");
        }
        foreach (var name in new[] { $"{prefix}-{kind}-idx{rank}-ubyte", $"{prefix}-{kind}.idx{rank}-ubyte" })
        {
            foreach (var candidate in new[] { name, name + ".gz" })
            {
                var path = Path.Combine(folder, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        throw new DatasetException(Path.Combine(folder, $"{prefix}-{kind}-idx{rank}-ubyte[.gz]"), "file not found");
    }

    public static byte[] ReadLabels(string path)
    {
        using var source = DatasetFiles.OpenInflated(path);
        var header = ReadHeader(path, source, LabelsMagic, dimensions: 1);
        return ReadBody(path, source, header[0], $"{header[0]} labels");
    }

    public static Images ReadImages(string path)
    {
        using var source = DatasetFiles.OpenInflated(path);
        var dims = ReadHeader(path, source, ImagesMagic, dimensions: 3);
        var pixels = ReadBody(path, source, (long)dims[0] * dims[1] * dims[2], $"{dims[0]} images of {dims[1]}x{dims[2]}");
        return new Images(dims[0], dims[1], dims[2], pixels);
    }

    /// <summary>The header first: a file whose header is wrong is refused after 16 bytes, however large it inflates.</summary>
    private static int[] ReadHeader(string path, Stream source, int magic, int dimensions)
    {
        var bytes = new byte[4 + 4 * dimensions];
        var read = source.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        return Header(path, bytes.AsSpan(0, read).ToArray(), magic, dimensions);
    }

    /// <summary>Exactly the bytes the header announces, in one array of that size, within the bound on a dataset file.</summary>
    private static byte[] ReadBody(string path, Stream source, long size, string what)
    {
        if (size > DatasetFiles.MaxDecompressedBytes)
        {
            throw new DatasetException(path, $"its header announces {what} ({size:N0} bytes), more than the {DatasetFiles.MaxDecompressedBytes:N0} a dataset file may hold");
        }
        var body = new byte[size];
        var read = source.ReadAtLeast(body, body.Length, throwOnEndOfStream: false);
        if (read < size)
        {
            throw new DatasetException(path, $"truncated: the header announces {what} ({size:N0} bytes) but {read:N0} follow");
        }
        return body;
    }

    private static int[] Header(string path, byte[] bytes, int magic, int dimensions)
    {
        Require(path, bytes, 4 + 4L * dimensions, "a header");
        var found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
        {
            throw new DatasetException(path, $"is not an IDX file of {(magic == LabelsMagic ? "labels" : "images")} (it does not start with 0x{magic:x8})");
        }
        var dims = new int[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] < 0)
            {
                throw new DatasetException(path, $"dimension {i} of its header is negative");
            }
        }
        return dims;
    }

    private static void Require(string path, byte[] bytes, long length, string what)
    {
        if (bytes.Length < length)
        {
            throw new DatasetException(path, $"truncated: {bytes.Length} bytes, but the header announces {what} ({length} bytes)");
        }
    }
}
