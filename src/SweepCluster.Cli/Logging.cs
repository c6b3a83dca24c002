using Serilog;
using Serilog.Events;
using Serilog.Filters;
using Serilog.Formatting.Compact;

namespace SweepCluster.Cli;

/// <summary>
/// Serilog for the long-running commands (Akka's own logs go through it too): a console sink on stderr,
/// so stdout stays for results, and a daily rolling file under the store's folder (<c>.sweepcluster/logs/</c>).
/// Both structured; both JSON (compact) with --log-json.
/// </summary>
internal static class Logging
{
    /// <param name="client">A client of a cluster: Akka's warnings (a peer it cannot reach, with the transport's stack
    /// traces) go to the file only, since the command itself says in one line that no cluster answered.</param>
    public static void Configure(string logFolder, bool json, LogEventLevel consoleLevel, bool client = false)
    {
        Directory.CreateDirectory(logFolder);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.FromLogContext();
        // Akka's own routine messages (remoting, cluster membership, sharding) go to the file only.
        var akka = Matching.FromSource("Akka");
        configuration = configuration.WriteTo.Logger(console =>
        {
            console.Filter.ByExcluding(e => e.Level < LogEventLevel.Warning && akka(e));
            if (client)
            {
                console.Filter.ByExcluding(e => e.Level < LogEventLevel.Error && akka(e));
            }
            if (json)
            {
                console.WriteTo.Console(new CompactJsonFormatter(), consoleLevel, standardErrorFromLevel: LogEventLevel.Verbose);
            }
            else
            {
                console.WriteTo.Console(consoleLevel, outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}", standardErrorFromLevel: LogEventLevel.Verbose);
            }
        });
        configuration = json
            ? configuration.WriteTo.File(new CompactJsonFormatter(), Path.Combine(logFolder, "sweepcluster-.json"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14)
            : configuration.WriteTo.File(Path.Combine(logFolder, "sweepcluster-.log"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}");
        Log.Logger = configuration.CreateLogger();
    }
}
