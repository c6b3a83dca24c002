using Serilog;
using Serilog.Events;
using Serilog.Filters;
using Serilog.Formatting.Compact;
using SweepCluster.Cli.Terminal;

namespace SweepCluster.Cli;

/// <summary>
/// Serilog for the long-running commands (Akka's own logs go through it too): a console sink on stderr,
/// so stdout stays for results, and a daily rolling file under the store's folder (<c>.sweepcluster/logs/</c>).
/// Both structured; both JSON (compact) with --log-json.
/// </summary>
internal static class Logging
{
    /// <param name="client">A client of a cluster: Akka's messages (a peer it cannot reach, a refused TLS
    /// handshake) go to the file only, since the command itself says in one line that no cluster answered.</param>
    public static void Configure(string logFolder, bool json, LogEventLevel consoleLevel, bool client = false)
    {
        Directory.CreateDirectory(logFolder);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.FromLogContext();
        // Akka's own routine messages (remoting, cluster membership, sharding) go to the file only, and its
        // warnings and errors reach the console as one line each: their stack traces go to the file.
        var akka = Matching.FromSource("Akka");
        configuration = configuration.WriteTo.Logger(console =>
        {
            console.Filter.ByExcluding(e => akka(e) && (client || e.Level < LogEventLevel.Warning || Disassociation(e)));
            console.WriteTo.Logger(ours => Console(ours.Filter.ByExcluding(e => akka(e) || ConsoleDiversion.Active), json, consoleLevel, "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}"));
            console.WriteTo.Logger(theirs => Console(theirs.Filter.ByIncludingOnly(e => akka(e) && !ConsoleDiversion.Active), json, consoleLevel, "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}"));
            console.WriteTo.Sink(new ConsoleDiversion.Sink(), consoleLevel);
        });
        configuration = json
            ? configuration.WriteTo.File(new CompactJsonFormatter(), Path.Combine(logFolder, "sweepcluster-.json"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14)
            : configuration.WriteTo.File(Path.Combine(logFolder, "sweepcluster-.log"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}");
        Log.Logger = configuration.CreateLogger();
    }

    /// <summary>
    /// A peer's connection ended: a client that submitted and left, or a node that stopped. Routine for a
    /// cluster whose clients come and go, and a lost node is said by the membership log in our own words;
    /// Akka reports it as a warning and an error with a stack trace, which go to the file only.
    /// </summary>
    private static bool Disassociation(LogEvent e)
    {
        if (e.Exception?.GetType().Name == "EndpointDisassociatedException")
        {
            return true;
        }
        var message = e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture);
        return message == "Disassociated" || message.Contains("EndpointDisassociatedException", StringComparison.Ordinal);
    }

    private static void Console(LoggerConfiguration sink, bool json, LogEventLevel level, string template)
    {
        if (json)
        {
            sink.WriteTo.Console(new CompactJsonFormatter(), level, standardErrorFromLevel: LogEventLevel.Verbose);
        }
        else
        {
            sink.WriteTo.Console(level, outputTemplate: template, standardErrorFromLevel: LogEventLevel.Verbose);
        }
    }

    /// <summary>Flushes the logs; a log file that cannot be written (a full disk) must not turn a clean exit into a crash.</summary>
    public static async Task CloseAsync()
    {
        try
        {
            await Log.CloseAndFlushAsync();
        }
        catch (IOException)
        {
        }
    }
}
