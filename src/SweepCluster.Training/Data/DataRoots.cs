namespace SweepCluster.Training.Data;

/// <summary>
/// Where a process may read datasets from. A cluster worker trains studies that other people submit, so it
/// reads only under its data roots: a relative path is looked up under each root in turn, an absolute one
/// must lie under one, and symbolic links are followed before the check, so a link cannot lead out. `run`
/// and `train` read the user's own files in the user's own process: no root applies there.
/// </summary>
public sealed class DataRoots
{
    /// <summary>A worker's roots unless its settings name others: its working directory's data/ and the Debian datasets.</summary>
    public static readonly IReadOnlyList<string> DefaultFolders = ["data", "/usr/share/datasets"];

    private readonly IReadOnlyList<string>? _realFolders;

    private DataRoots(IReadOnlyList<string>? folders, IReadOnlyList<string>? realFolders)
    {
        Folders = folders ?? [];
        _realFolders = realFolders;
    }

    /// <summary>The user's own process: any path it can open, relative ones against the working directory.</summary>
    public static DataRoots Unrestricted { get; } = new(null, null);

    public IReadOnlyList<string> Folders { get; }

    /// <summary>Roots from a node's settings (or the defaults), made absolute against <paramref name="workingDirectory"/>.</summary>
    public static DataRoots Resolve(IEnumerable<string>? folders, string workingDirectory)
    {
        var absolute = (folders ?? DefaultFolders).Select(f => Path.GetFullPath(Path.Combine(workingDirectory, f))).Distinct().ToList();
        return new DataRoots(absolute, absolute.Select(RealPath.Of).ToList());
    }

    /// <summary>The path to open for <paramref name="path"/> as a dataset names it; throws, having read nothing, when it lies outside the roots.</summary>
    public string Locate(string path)
    {
        if (_realFolders is null)
        {
            return Path.GetFullPath(path);
        }
        var candidates = Path.IsPathRooted(path)
            ? [Path.GetFullPath(path)]
            : Folders.Select(root => Path.GetFullPath(Path.Combine(root, path))).ToList();
        var found = candidates.FirstOrDefault(c => File.Exists(c) || Directory.Exists(c)) ?? candidates[0];
        var real = RealPath.Of(found);
        if (!_realFolders.Any(root => IsUnder(real, root)))
        {
            throw new DatasetException(path, $"is outside this worker's data roots ({string.Join(", ", Folders)}); put the data under one of them, or give the worker another root with --data-root");
        }
        return real;
    }

    private static bool IsUnder(string path, string root) =>
        path.Length > root.Length && path.StartsWith(root, StringComparison.Ordinal) && (root.EndsWith(Path.DirectorySeparatorChar) || path[root.Length] == Path.DirectorySeparatorChar);
}
