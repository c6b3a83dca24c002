namespace SweepCluster.Cli.Tests;

/// <summary>The shipped quickstart, shortened to 400 steps, run and queried on an 80-column terminal.</summary>
public sealed class NarrowTerminalFixture : IDisposable
{
    public NarrowTerminalFixture()
    {
        var sweep = File.ReadAllText(Path.Combine(Repository.Root(), "sweeps", "quickstart.yaml"));
        Assert.Contains("steps: 10000", sweep);
        File.WriteAllText(Path.Combine(Folder, "quickstart.yaml"), sweep.Replace("steps: 10000", "steps: 400", StringComparison.Ordinal));
        Run = NarrowTerminalTests.At80Columns(Folder, "run", "quickstart.yaml", "--slots", "2");
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("sweepcluster-narrow-").FullName;

    internal Cli.Result Run { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

[Trait("Category", "Cluster")]
public sealed class NarrowTerminalTests(NarrowTerminalFixture study) : IClassFixture<NarrowTerminalFixture>
{
    private const int Columns = 80;

    internal static Cli.Result At80Columns(string folder, params string[] args)
    {
        var result = Cli.Run(folder, new Dictionary<string, string?> { ["COLUMNS"] = $"{Columns}" }, null, args);
        Assert.True(result.ExitCode == 0, $"sweepcluster {string.Join(' ', args)}: {result.Stderr}");
        return result;
    }

    [Fact]
    public void The_run_summary_fits_with_every_header_and_number_whole()
    {
        var tables = AssertFits(study.Run.Stdout, rows: 4);
        AssertHeaders(tables, "algorithm", "trials", "completed", "diverged", "failed", "pruned", "pending", "mean margin_l1", "mean margin_l2", "mean margin_linf", "mean first fit step");
        // The summary's first fit step and `results --at fit` differ by up to a checkpoint interval; both say why.
        Assert.Contains("`results --at fit` reads the first checkpoint at or after it", Unwrapped(study.Run.Stdout), StringComparison.Ordinal);
        var atFit = At80Columns(study.Folder, "results", "quickstart", "--at", "fit").Stdout;
        AssertFits(atFit, rows: 4);
        Assert.Contains("at or after the first fit step the run's summary averages", Unwrapped(atFit), StringComparison.Ordinal);
    }

    /// <summary>Text lines joined as one paragraph: a sentence wrapped at 80 columns reads whole again.</summary>
    private static string Unwrapped(string output) => string.Join(' ', output.Split('\n').Select(l => l.Trim()));

    [Fact]
    public void Results_fit_with_every_header_and_number_whole()
    {
        var tables = AssertFits(At80Columns(study.Folder, "results", "quickstart").Stdout, rows: 4);
        AssertHeaders(tables, "algorithm", "trials", "margin_l1", "margin_l2", "margin_linf", "loss", "train_accuracy");
        Assert.Contains(tables, t => t.Rows.Any(r => r.Contains(" ± ", StringComparison.Ordinal) && r.Contains(']', StringComparison.Ordinal)));
    }

    [Fact]
    public void Status_of_every_study_and_of_one_fit_with_every_header_and_number_whole()
    {
        var all = AssertFits(At80Columns(study.Folder, "status").Stdout, rows: 1);
        AssertHeaders(all, "study", "phase", "trials", "pending", "running", "completed", "diverged", "failed", "pruned", "created");

        var one = AssertFits(At80Columns(study.Folder, "status", "quickstart").Stdout, rows: 8);
        AssertHeaders(one, "trial", "algorithm", "lr", "seed", "state", "attempt", "progress", "margin_l1", "margin_l2", "margin_linf", "reason");
    }

    [Fact]
    public void Piped_without_a_width_each_row_is_one_line()
    {
        var result = Cli.Run(study.Folder, "status", "quickstart");
        Assert.Equal(0, result.ExitCode);
        var table = Assert.Single(Tables(result.Stdout));
        Assert.Equal(8, table.Rows.Count);
    }

    private sealed record RenderedTable(IReadOnlyList<string> Headers, IReadOnlyList<string> Rows);

    /// <summary>Every line within the width, nothing cut short, and every table with one header line and exactly one line per row (a wrapped cell would add lines).</summary>
    private static List<RenderedTable> AssertFits(string output, int rows)
    {
        var tooWide = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > Columns).ToList();
        Assert.True(tooWide.Count == 0, $"lines wider than {Columns} columns:\n{string.Join('\n', tooWide)}");
        Assert.DoesNotContain("…", output, StringComparison.Ordinal);
        var tables = Tables(output);
        Assert.NotEmpty(tables);
        foreach (var table in tables)
        {
            Assert.True(table.Rows.Count == rows, $"a table with {table.Rows.Count} lines for {rows} rows:\n{output}");
        }
        return tables;
    }

    private static void AssertHeaders(List<RenderedTable> tables, params string[] expected)
    {
        var headers = tables.SelectMany(t => t.Headers).ToList();
        foreach (var header in expected)
        {
            Assert.True(headers.Contains(header), $"no whole header '{header}' among: {string.Join(" | ", headers)}");
        }
    }

    /// <summary>The tables in an output: a top border, one or more header lines, a rule, row lines, a bottom border.</summary>
    private static List<RenderedTable> Tables(string output)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var tables = new List<RenderedTable>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].StartsWith('╭') && !lines[i].StartsWith('┌'))
            {
                continue;
            }
            var headerLines = new List<string>();
            var j = i + 1;
            for (; j < lines.Count && !lines[j].StartsWith('├'); j++)
            {
                headerLines.Add(lines[j]);
            }
            var rowLines = new List<string>();
            for (j++; j < lines.Count && !lines[j].StartsWith('╰') && !lines[j].StartsWith('└'); j++)
            {
                rowLines.Add(lines[j]);
            }
            Assert.True(headerLines.Count == 1, $"a header over {headerLines.Count} lines:\n{string.Join('\n', headerLines)}");
            tables.Add(new RenderedTable(Cells(headerLines[0]), rowLines));
            i = j;
        }
        return tables;
    }

    private static List<string> Cells(string line) => line.Split('│', StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim()).Where(c => c.Length > 0).ToList();
}
