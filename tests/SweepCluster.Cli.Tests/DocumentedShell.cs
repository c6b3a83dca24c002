using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// Runs documented shell commands as a reader pastes them into bash: in a scratch folder holding the
/// repository's sweeps and cluster configuration, with `sweepcluster` on the PATH as the built command.
/// Nodes keep running until the block ends; a dashboard is stopped once it answers.
/// </summary>
internal sealed partial class DocumentedShell : IDisposable
{
    // The README's first command builds and runs the CLI; here the build under test stands in for it, as the
    // README says `sweepcluster` does.
    private const string DotnetRun = "dotnet run --project src/SweepCluster.Cli -c Release --";

    private readonly string _bin = Directory.CreateTempSubdirectory("sweepcluster-doc-bin-").FullName;
    private readonly List<(string Command, Process Process, ConcurrentQueue<string> Output)> _nodes = [];
    private readonly List<string> _folders = [];

    public DocumentedShell()
    {
        var wrapper = Path.Combine(_bin, "sweepcluster");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "sweepcluster.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Folder { get; private set; } = "";

    /// <summary>A fresh folder as a reader's checkout has it: sweeps, cluster configuration, an empty docs/figures.</summary>
    public void NewFolder()
    {
        Folder = Directory.CreateTempSubdirectory("sweepcluster-doc-").FullName;
        _folders.Add(Folder);
        var root = Repository.Root();
        foreach (var tree in new[] { "sweeps", "cluster-config" })
        {
            CopyTree(Path.Combine(root, tree), Path.Combine(Folder, tree));
        }
        Directory.CreateDirectory(Path.Combine(Folder, "docs", "figures"));
    }

    /// <summary>Runs a command to its end; fails unless it exits 0.</summary>
    public void Run(string command)
    {
        using var process = Start(command, out var output);
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            Kill(process);
            Assert.Fail($"`{command}` did not finish in 10 minutes\n{Tail(output)}");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"`{command}` exited {process.ExitCode}\n{Tail(output)}");
    }

    /// <summary>Starts a command that trains for hours, waits until a trial trains, then presses Ctrl+C: it must exit cleanly (0 detached, 130 interrupted).</summary>
    public void RunUntilTraining(string command)
    {
        using var process = Start(command, out var output);
        WaitFor(process, output, command, l => Training().IsMatch(l), "a trial training");
        Signal(process, "INT");
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            Kill(process);
            Assert.Fail($"`{command}` did not exit within 3 minutes of Ctrl+C\n{Tail(output)}");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode is 0 or 130, $"`{command}` exited {process.ExitCode} after Ctrl+C\n{Tail(output)}");
    }

    /// <summary>Starts a node and waits until it is up; it runs until <see cref="StopNodes"/>.</summary>
    public void StartNode(string command)
    {
        var process = Start(command, out var output);
        _nodes.Add((command, process, output));
        WaitFor(process, output, command, l => l.Contains("Node is up", StringComparison.Ordinal), "\"Node is up\"");
    }

    /// <summary>Starts a dashboard, checks that its address answers HTTP, and stops it with SIGTERM.</summary>
    public void CheckDashboard(string command)
    {
        using var process = Start(command, out var output);
        var url = "";
        WaitFor(process, output, command, l => DashboardUrl().Match(l) is { Success: true } m && (url = m.Groups[1].Value) != "", "the dashboard's address");
        // Bound to 0.0.0.0 it answers on loopback too.
        url = url.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
        using (var http = new HttpClient())
        {
            var response = http.GetAsync(new Uri(url + "/")).GetAwaiter().GetResult();
            Assert.True((int)response.StatusCode is 200 or 401, $"`{command}`: GET {url}/ answered {(int)response.StatusCode}");
        }
        Signal(process, "TERM");
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), $"`{command}` did not stop on SIGTERM\n{Tail(output)}");
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"`{command}` exited {process.ExitCode} on SIGTERM\n{Tail(output)}");
    }

    /// <summary>Stops the block's nodes with SIGTERM, as a reader stops them with Ctrl+C; each must leave and exit 0.</summary>
    public void StopNodes()
    {
        foreach (var (_, process, _) in Enumerable.Reverse(_nodes))
        {
            Signal(process, "TERM");
        }
        var nodes = _nodes.ToList();
        _nodes.Clear();
        foreach (var (command, process, output) in nodes)
        {
            using (process)
            {
                if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
                {
                    Kill(process);
                    Assert.Fail($"`{command}` did not stop on SIGTERM\n{Tail(output)}");
                }
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"`{command}` exited {process.ExitCode} on SIGTERM\n{Tail(output)}");
            }
        }
    }

    public void Dispose()
    {
        foreach (var (_, process, _) in _nodes)
        {
            Kill(process);
            process.Dispose();
        }
        foreach (var folder in _folders.Append(_bin))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private Process Start(string command, out ConcurrentQueue<string> output)
    {
        var script = command.StartsWith(DotnetRun, StringComparison.Ordinal) ? "sweepcluster" + command[DotnetRun.Length..] : command;
        // setsid: the command leads its own process group, so a signal reaches it as Ctrl+C reaches a terminal's job.
        var info = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["CI"] = "true",
                ["SWEEPCLUSTER_STORE"] = null,
                ["COLUMNS"] = null,
                ["PATH"] = _bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            },
        };
        foreach (var arg in new[] { "bash", "-o", "pipefail", "-c", script })
        {
            info.ArgumentList.Add(arg);
        }
        var lines = new ConcurrentQueue<string>();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Keep(lines, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(lines, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = lines;
        return process;
    }

    private static void Keep(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }

    private void WaitFor(Process process, ConcurrentQueue<string> output, string command, Func<string, bool> sign, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!output.Any(sign))
        {
            if (process.HasExited)
            {
                process.WaitForExit();
                Assert.Fail($"`{command}` exited {process.ExitCode} before showing {what}\n{Tail(output)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                Kill(process);
                Assert.Fail($"`{command}` showed no {what} within 3 minutes\n{Tail(output)}");
            }
            Thread.Sleep(200);
        }
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, "--", "-" + process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>The command's last lines and the newest log file's, to explain a failure.</summary>
    private string Tail(IEnumerable<string> output)
    {
        var logs = Path.Combine(Folder, ".sweepcluster", "logs");
        var newest = Directory.Exists(logs) ? Directory.GetFiles(logs).MaxBy(File.GetLastWriteTimeUtc) : null;
        var log = newest is null ? "" : $"\n--- {Path.GetFileName(newest)}, last lines:\n" + string.Join('\n', SharedFile.ReadAll(newest).Split('\n').TakeLast(60));
        return string.Join('\n', output.TakeLast(60)) + log;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [GeneratedRegex(@"\b[1-9]\d* running\b")]
    private static partial Regex Training();

    [GeneratedRegex(@" at (https?://\S+?)/? \(Ctrl\+C")]
    private static partial Regex DashboardUrl();
}
