using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The live display on a real terminal: script(1) gives `run` a pseudo-terminal, and Ctrl+C is typed
/// into it, so the terminal's line discipline sends SIGINT as a user's keyboard does.
/// </summary>
[Trait("Category", "Cluster")]
public sealed partial class LiveDisplayTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-live-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Ctrl_c_on_an_80_column_terminal_redraws_the_frame_as_interrupting_with_log_lines_inside_and_no_header_cut()
    {
        // Four trials too long to finish on two slots: two train, two wait.
        File.WriteAllText(Path.Combine(_folder, "long.yaml"), """
            study: long
            dataset: {kind: synthetic, n: 40, dim: 8, seed: 1}
            model: {width: 16}
            steps: 1000000
            checkpoint_every: 1000
            grid:
              algorithm: [gd, sign]
              lr: [0.001]
              seed: [0, 1]
            """);
        var info = new ProcessStartInfo("script", ["-qec", $"dotnet '{Path.Combine(AppContext.BaseDirectory, "sweepcluster.dll")}' run long.yaml --slots 2", "/dev/null"])
        {
            WorkingDirectory = _folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            Environment = { ["CI"] = null, ["SWEEPCLUSTER_STORE"] = null, ["TERM"] = "xterm-256color", ["COLUMNS"] = "80", ["LINES"] = "40" },
        };
        using var process = Process.Start(info)!;
        var transcript = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (transcript)
                {
                    transcript.Append(buffer, 0, read);
                }
            }
        }, TestContext.Current.CancellationToken);
        string Text()
        {
            lock (transcript)
            {
                return Plain(transcript.ToString());
            }
        }

        // The log file says when both slots train (on a terminal the console shows warnings only).
        var logs = Path.Combine(_folder, ".sweepcluster", "logs");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!Directory.Exists(logs) || Directory.GetFiles(logs).Sum(f => Regex.Count(SharedFile.ReadAll(f), "Started trial")) < 2)
        {
            Assert.False(process.HasExited, "run ended before two trials trained:\n" + Text());
            Assert.True(DateTime.UtcNow < deadline, "two trials never started:\n" + Text());
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        // A redraw or two with both training.
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        // Ctrl+C, typed on the terminal.
        await process.StandardInput.WriteAsync('\u0003');
        await process.StandardInput.FlushAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        await reading;
        var text = Text();

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{text}");
        Assert.Contains("long (running)", text, StringComparison.Ordinal);
        Assert.Contains("long (interrupting: running trials save their state)", text, StringComparison.Ordinal);
        // At 80 columns the frame's columns stack: no header is cut short.
        Assert.DoesNotContain('…', text);
        foreach (var header in new[] { "running", "queued", "pending", "diverged", "elapsed" })
        {
            Assert.Matches(new Regex($@"│ +{header} +│"), text);
        }
        // The warning that says so is part of the frame: every redraw after it draws it again. Written to the
        // console while the frame is live, it would appear once and be overdrawn.
        Assert.True(Regex.Count(text, "WRN Interrupting study \"long\": running trials save their state") >= 2, text);
        Assert.Contains("sweepcluster resume long", text, StringComparison.Ordinal);
    }

    /// <summary>The transcript without the terminal's control sequences (colours, cursor moves).</summary>
    private static string Plain(string transcript) => ControlSequence().Replace(transcript, "");

    [GeneratedRegex(@"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")]
    private static partial Regex ControlSequence();
}
