using Spectre.Console;

namespace SweepCluster.Cli.Terminal;

/// <summary>How wide the tables may be, and a console that writes them at that width.</summary>
internal static class TerminalWidth
{
    /// <summary>A pipe or a file has no terminal to fit: one line per row, up to this wide.</summary>
    public const int Piped = 240;

    /// <summary>$COLUMNS when set (as a shell exports it, or as a test sets it), else the terminal's width, else <see cref="Piped"/>.</summary>
    public static int Current
    {
        get
        {
            if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0)
            {
                return columns;
            }
            if (!System.Console.IsOutputRedirected)
            {
                try
                {
                    return System.Console.WindowWidth > 0 ? System.Console.WindowWidth : Piped;
                }
                catch (IOException)
                {
                    return Piped;
                }
            }
            return Piped;
        }
    }

    /// <summary>A console on standard output that lays tables out at <see cref="Current"/> columns.</summary>
    public static IAnsiConsole Console()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        console.Profile.Width = Current;
        return console;
    }
}
