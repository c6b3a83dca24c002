using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary>
/// The shell blocks of a Markdown document and how each is run as a test, from the `&lt;!-- test: ... --&gt;`
/// lines just above it:
/// <list type="bullet">
/// <item>`not run: REASON`: the block is not run (another machine, a benchmark of an hour); the reason is required.</item>
/// <item>`skip "TEXT": REASON`: its commands containing TEXT are not run.</item>
/// <item>`interrupt "TEXT": REASON`: its commands containing TEXT train for hours; each is started, and
/// interrupted (Ctrl+C) once a trial trains.</item>
/// <item>`in the folder above`: it continues in the previous block's folder (its store, its files);
/// otherwise each block starts in a fresh copy of the repository's sweeps and cluster configuration.</item>
/// <item>`needs PATH`: it is run only where PATH exists (a Debian package's files).</item>
/// </list>
/// </summary>
internal sealed partial record DocumentedBlock(string Document, int Line, IReadOnlyList<string> Commands, IReadOnlyList<Directive> Directives)
{
    public string? NotRunReason => Directives.FirstOrDefault(d => d.Kind == "not run")?.Reason;

    public bool ContinuesAbove => Directives.Any(d => d.Kind == "in the folder above");

    public IEnumerable<string> Needs => Directives.Where(d => d.Kind == "needs").Select(d => d.Reason);

    /// <summary>What the block's directives say of one command: run to its end, skip it, or start and interrupt it.</summary>
    public string Handling(string command) =>
        Directives.FirstOrDefault(d => d.Text is not null && command.Contains(d.Text, StringComparison.Ordinal))?.Kind ?? "run";

    public override string ToString() => $"{Document}:{Line}";

    public static IReadOnlyList<DocumentedBlock> Read(string root, string document)
    {
        var lines = File.ReadAllLines(Path.Combine(root, document));
        var blocks = new List<DocumentedBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i] is not ("```bash" or "```sh"))
            {
                continue;
            }
            var directives = new List<Directive>();
            for (var above = i - 1; above >= 0 && DirectiveLine().Match(lines[above]) is { Success: true } match; above--)
            {
                directives.Add(Directive.Parse(match.Groups[1].Value, $"{document}:{above + 1}"));
            }
            var body = new List<string>();
            var start = i + 1;
            for (i++; i < lines.Length && lines[i] != "```"; i++)
            {
                body.Add(lines[i]);
            }
            blocks.Add(new DocumentedBlock(document, start, LogicalCommands(body), directives));
        }
        return blocks;
    }

    /// <summary>A block's commands: lines joined where they end in a backslash, comment-only and blank lines left out.</summary>
    private static List<string> LogicalCommands(IEnumerable<string> body)
    {
        var commands = new List<string>();
        var pending = "";
        foreach (var line in body)
        {
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            var command = (pending + line).Trim();
            pending = "";
            if (command.Length > 0 && !command.StartsWith('#'))
            {
                commands.Add(command);
            }
        }
        return commands;
    }

    [GeneratedRegex(@"^<!-- test: (.*) -->$")]
    private static partial Regex DirectiveLine();
}

internal sealed partial record Directive(string Kind, string? Text, string Reason)
{
    public static Directive Parse(string directive, string where)
    {
        var match = Grammar().Match(directive);
        if (!match.Success)
        {
            throw new FormatException($"{where}: `{directive}` is not a test directive (not run: WHY, skip \"TEXT\": WHY, interrupt \"TEXT\": WHY, needs PATH, in the folder above)");
        }
        var kind = match.Groups["kind"].Value;
        var text = match.Groups["text"].Success ? match.Groups["text"].Value : null;
        var reason = match.Groups["reason"].Value.Trim();
        if (kind is "not run" or "skip" or "interrupt" or "needs" && reason.Length == 0)
        {
            throw new FormatException($"{where}: `{directive}` says no reason");
        }
        return new Directive(kind, text, reason);
    }

    [GeneratedRegex("""^(?<kind>not run|skip|interrupt|needs|in the folder above)(?: "(?<text>[^"]+)")?:?(?<reason>.*)$""")]
    private static partial Regex Grammar();
}
