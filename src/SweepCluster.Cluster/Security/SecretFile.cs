using System.Text;

namespace SweepCluster.Cluster.Security;

/// <summary>Writes keys so that no other user can read them at any moment, and never over an existing file.</summary>
internal static class SecretFile
{
    public static void Write(string path, string text) => Write(path, Encoding.ASCII.GetBytes(text));

    public static void Write(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }
}
