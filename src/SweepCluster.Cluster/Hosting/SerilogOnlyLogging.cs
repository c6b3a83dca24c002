using Akka.Event;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Serilog.Events;

namespace SweepCluster.Cluster.Hosting;

/// <summary>
/// Every line Akka logs goes through Serilog, in the command's format and to its sinks (stderr and the log
/// file), never to stdout in Akka's own format. Akka has a second, minimal logger for the moments its
/// loggers are not running: start-up, shutdown, and whatever is still queued for a logger when it stops
/// (at shutdown: "Remoting shut down"). That one writes to stdout whatever its level, so it is replaced.
/// </summary>
public static class SerilogOnlyLogging
{
    public static AkkaConfigurationBuilder WithSerilogOnly(this AkkaConfigurationBuilder builder, Akka.Event.LogLevel? level = null)
    {
        builder.AddHocon($"akka.stdout-logger-class = \"{typeof(SerilogMinimalLogger).AssemblyQualifiedName}\"", HoconAddMode.Prepend);
        builder.AddHocon("akka.stdout-loglevel = INFO", HoconAddMode.Prepend);
        return builder.ConfigureLoggers(loggers =>
        {
            if (level is { } minimum)
            {
                loggers.LogLevel = minimum;
            }
            loggers.ClearLoggers();
            loggers.AddLogger<SerilogLogger>();
        });
    }
}

/// <summary>Akka's minimal logger, writing to Serilog's static logger (silent once it is closed).</summary>
public sealed class SerilogMinimalLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is not Akka.Event.LogEvent e)
        {
            return;
        }
        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => LogEventLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => LogEventLevel.Information,
            Akka.Event.LogLevel.WarningLevel => LogEventLevel.Warning,
            _ => LogEventLevel.Error,
        };
        Serilog.Log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, e.LogClass?.FullName ?? "Akka")
            .Write(level, e.Cause, "{Message:l}", e.Message?.ToString());
    }
}
