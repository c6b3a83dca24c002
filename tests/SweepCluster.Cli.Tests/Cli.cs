using System.Diagnostics;

namespace SweepCluster.Cli.Tests;

/// <summary>Runs the built sweepcluster as a separate process, the way a user does.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    /// <summary>Runs sweepcluster; <paramref name="whileRunning"/> gets the process while it runs (to signal it, say).</summary>
    public static Result Run(string workingDirectory, Action<Process>? whileRunning, params string[] args) =>
        Run(workingDirectory, new Dictionary<string, string?>(), whileRunning, args);

    /// <summary>Runs sweepcluster with these environment variables set (null removes one).</summary>
    public static Result Run(string workingDirectory, IReadOnlyDictionary<string, string?> environment, Action<Process>? whileRunning, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            Environment = { ["CI"] = "true", ["SWEEPCLUSTER_STORE"] = null, ["COLUMNS"] = null },
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sweepcluster.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        whileRunning?.Invoke(process);
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"sweepcluster {string.Join(' ', args)} did not finish");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
