namespace SweepCluster.Training.Data;

/// <summary>A path with every symbolic link along it followed, as realpath(3) gives it; parts that do not exist are kept as written.</summary>
internal static class RealPath
{
    private const int MaxLinks = 40;

    public static string Of(string path)
    {
        var pending = new Stack<string>(Path.GetFullPath(path).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = Path.GetPathRoot(Path.GetFullPath(path)) ?? "/";
        var links = 0;
        while (pending.TryPop(out var part))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not { } target)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks)
            {
                throw new DatasetException(path, "too many symbolic links");
            }
            var resolved = Path.GetFullPath(Path.Combine(current, target));
            foreach (var piece in resolved.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(piece);
            }
            current = Path.GetPathRoot(resolved) ?? "/";
        }
        return current;
    }
}
