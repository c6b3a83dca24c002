using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// A throwaway PostgreSQL server for one test: initdb and pg_ctl into a temporary folder, on a free
/// loopback port. As root it runs them as the postgres user, since initdb refuses root.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    private readonly string _bin;
    private readonly string _data;
    private readonly bool _asPostgres = Environment.UserName == "root";

    private PostgresServer(string bin, string folder, int port)
    {
        _bin = bin;
        _data = Path.Combine(folder, "data");
        Folder = folder;
        Port = port;
    }

    public string Folder { get; }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database=sweepcluster;Username=sweepcluster;Timeout=5;Command Timeout=30";

    /// <summary>Null when PostgreSQL is not installed.</summary>
    /// <param name="password">With a password, logins need it (SCRAM); without, any local login is trusted.</param>
    public static PostgresServer? TryStart(string? password = null)
    {
        var bin = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb"))) : null;
        if (bin is null)
        {
            return null;
        }
        var folder = Directory.CreateTempSubdirectory("sweepcluster-pg-").FullName;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var server = new PostgresServer(bin, folder, port);
        if (server._asPostgres)
        {
            Run("chown", "-R", "postgres:postgres", folder);
        }
        if (password is null)
        {
            server.Pg("initdb", "-D", server._data, "-U", "sweepcluster", "--auth=trust", "-E", "UTF8");
        }
        else
        {
            var passwordFile = Path.Combine(folder, "initdb-password");
            File.WriteAllText(passwordFile, password + "\n");
            if (server._asPostgres)
            {
                Run("chown", "postgres:postgres", passwordFile);
            }
            server.Pg("initdb", "-D", server._data, "-U", "sweepcluster", "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8");
            File.Delete(passwordFile);
        }
        server.Start();
        // createdb over the socket folder: local socket logins stay trusted by initdb only without a password,
        // so give it the password through the environment.
        server.PgWithPassword(password, "createdb", "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "sweepcluster", "sweepcluster");
        return server;
    }

    public void Start() => Pg("pg_ctl", "-D", _data, "-l", Path.Combine(Folder, "server.log"), "-w", "-o", $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    public void Stop() => Pg("pg_ctl", "-D", _data, "-m", "fast", "-w", "stop");

    private void Pg(string tool, params string[] args) => PgWithPassword(null, tool, args);

    private void PgWithPassword(string? password, string tool, params string[] args)
    {
        var path = Path.Combine(_bin, tool);
        string[] withPassword = password is null ? [path, .. args] : ["env", $"PGPASSWORD={password}", path, .. args];
        if (_asPostgres)
        {
            Run("runuser", ["-u", "postgres", "--", .. withPassword]);
        }
        else
        {
            Run(withPassword[0], withPassword[1..]);
        }
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error.Result}{output.Result}");
        }
    }

    public void Dispose()
    {
        try
        {
            Stop();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        Directory.Delete(Folder, recursive: true);
    }
}
