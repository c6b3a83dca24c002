using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Real sweepcluster node processes on loopback, in one working folder, killed when disposed. Keeps every
/// node's console output to explain a failure: which node did what, and when.
/// </summary>
internal sealed class LoopbackCluster(string folder) : IDisposable
{
    private readonly List<Process> _nodes = [];
    private readonly ConcurrentQueue<string> _output = new();

    public string Folder => folder;

    public void Dispose()
    {
        foreach (var node in _nodes.Where(n => !n.HasExited))
        {
            node.Kill(entireProcessTree: true);
            node.WaitForExit();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public Process StartNode(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["CI"] = "true";
        info.Environment["SWEEPCLUSTER_STORE"] = null;
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sweepcluster.dll"));
        info.ArgumentList.Add("node");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        var name = $"{args[1]}:{args[3]}";
        process.OutputDataReceived += (_, e) => Keep(name, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(name, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _nodes.Add(process);
        return process;
    }

    public Process StartCoordinator(int port, string store, params int[] seedPorts) =>
        StartNode(new[] { "--role", "coordinator", "--port", Port(port), "--store", store }
            .Concat(seedPorts.SelectMany(p => new[] { "--seed", $"127.0.0.1:{Port(p)}" })).ToArray());

    public Process StartWorker(int port, int coordinatorPort, int slots = 1, double saveStateSeconds = 1) =>
        StartNode("--role", "worker", "--port", Port(port), "--seed", $"127.0.0.1:{Port(coordinatorPort)}", "--slots", Port(slots),
            "--save-state-seconds", saveStateSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A coordinator on <paramref name="store"/> and two one-slot workers, up, with the sweep submitted (detached).</summary>
    /// <returns>The coordinator's port and process, and the workers by port.</returns>
    public (int CoordinatorPort, Process Coordinator, Dictionary<int, Process> Workers) StartAndSubmit(string store, string sweepYaml)
    {
        var (coordinatorPort, firstPort, secondPort) = (FreePort(), FreePort(), FreePort());
        var coordinator = StartCoordinator(coordinatorPort, store, coordinatorPort);
        var workers = new Dictionary<int, Process>
        {
            [firstPort] = StartWorker(firstPort, coordinatorPort),
            [secondPort] = StartWorker(secondPort, coordinatorPort),
        };
        WaitUntilUp(3);
        File.WriteAllText(Path.Combine(folder, "s.yaml"), sweepYaml);
        var submitted = Cli.Run(folder, "submit", "s.yaml", "--cluster", $"127.0.0.1:{Port(coordinatorPort)}", "--detach");
        Assert.True(submitted.ExitCode == 0, submitted.Stderr);
        return (coordinatorPort, coordinator, workers);
    }

    /// <summary>The port, among <paramref name="ports"/>, of the node a journal event names (`UniqueAddress: (akka.tcp://...@127.0.0.1:PORT, UID)`).</summary>
    public static int PortOf(string node, IEnumerable<int> ports) =>
        ports.Single(p => node.Contains($"127.0.0.1:{Port(p)},", StringComparison.Ordinal));

    /// <summary>Waits until <paramref name="count"/> nodes have said they are up (a client that joins earlier may find no cluster).</summary>
    public void WaitUntilUp(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (_output.Count(l => l.Contains("Node is up", StringComparison.Ordinal)) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"fewer than {count} nodes came up\n{Output()}");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>Every node's console lines so far.</summary>
    public IEnumerable<string> Lines => _output;

    /// <summary>The nodes' last console lines and log files, for a failure message.</summary>
    public string Output()
    {
        var logs = Path.Combine(folder, ".sweepcluster", "logs");
        var files = Directory.Exists(logs) ? Directory.GetFiles(logs) : [];
        return string.Join('\n', _output.TakeLast(100)) + string.Concat(files.Select(f => $"\n--- {Path.GetFileName(f)}, last lines:\n" + string.Join('\n', SharedFile.ReadAll(f).Split('\n').TakeLast(150))));
    }

    private void Keep(string node, string? line)
    {
        if (line is not null)
        {
            _output.Enqueue($"[{node}] {line}");
        }
    }
}
