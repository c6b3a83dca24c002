using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace SweepCluster.Cli.Terminal;

/// <summary>
/// While a live display owns the terminal, console log lines are kept here and drawn inside its frame:
/// written to the terminal they would land in the middle of the frame, which the next redraw tears.
/// The log file gets them as always.
/// </summary>
internal static class ConsoleDiversion
{
    private const int Kept = 6;
    private static readonly ConcurrentQueue<string> Lines = new();
    private static volatile bool _active;

    public static bool Active => _active;

    /// <summary>Diverts console lines until disposed.</summary>
    public static IDisposable Begin()
    {
        Lines.Clear();
        _active = true;
        return new End();
    }

    /// <summary>The latest diverted lines, oldest first.</summary>
    public static IReadOnlyList<string> Recent => [.. Lines];

    private sealed class End : IDisposable
    {
        public void Dispose() => _active = false;
    }

    /// <summary>The sink the console's log lines go to while diverted.</summary>
    public sealed class Sink : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            if (!_active)
            {
                return;
            }
            var level = logEvent.Level switch
            {
                LogEventLevel.Warning => "WRN",
                LogEventLevel.Error => "ERR",
                LogEventLevel.Fatal => "FTL",
                LogEventLevel.Information => "INF",
                _ => "DBG",
            };
            Lines.Enqueue($"{logEvent.Timestamp:HH:mm:ss} {level} {logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)}");
            while (Lines.Count > Kept)
            {
                Lines.TryDequeue(out _);
            }
        }
    }
}
