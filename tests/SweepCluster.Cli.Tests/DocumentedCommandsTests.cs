namespace SweepCluster.Cli.Tests;

/// <summary>
/// Every shell command in README.md and docs/ runs as shown, in order, the way a reader pastes it: a
/// command exits 0, a node comes up, a dashboard answers, and a sweep that trains for hours starts training
/// and stops cleanly on Ctrl+C. A block that is not run says why above it (see <see cref="DocumentedBlock"/>).
/// </summary>
[Trait("Category", "Chaos")]
[Collection(RunAlone.Name)]
public sealed class DocumentedCommandsTests
{
    private static readonly string[] Documents = ["README.md", "docs/operations.md", "docs/reproduction.md", "docs/benchmarks.md", "docs/architecture.md"];

    public static TheoryData<string> DocumentsWithCommands() =>
        new(Documents.Where(d => DocumentedBlock.Read(Repository.Root(), d).Any(b => b.NotRunReason is null)));

    [Fact]
    public void Every_document_is_read_and_every_directive_names_a_command_of_its_block()
    {
        var root = Repository.Root();
        var documents = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => Path.GetRelativePath(root, f)).Append("README.md");
        Assert.Empty(documents.Except(Documents));
        foreach (var block in Documents.SelectMany(d => DocumentedBlock.Read(root, d)))
        {
            Assert.NotEmpty(block.Commands);
            foreach (var directive in block.Directives.Where(d => d.Text is not null))
            {
                Assert.True(block.Commands.Any(c => c.Contains(directive.Text!, StringComparison.Ordinal)), $"{block}: no command contains \"{directive.Text}\"");
            }
        }
    }

    [Theory]
    [MemberData(nameof(DocumentsWithCommands))]
    public void Every_command_of_a_document_runs_as_shown(string document)
    {
        var skipped = new List<string>();
        using var shell = new DocumentedShell();
        foreach (var block in DocumentedBlock.Read(Repository.Root(), document))
        {
            if (block.NotRunReason is not null)
            {
                continue;
            }
            var missing = block.Needs.Where(path => !Path.Exists(path.Split(' ')[0])).ToList();
            if (missing.Count > 0)
            {
                skipped.Add($"{block}: needs {string.Join(", ", missing)}");
                continue;
            }
            if (!block.ContinuesAbove || shell.Folder.Length == 0)
            {
                shell.NewFolder();
            }
            foreach (var command in block.Commands)
            {
                switch (block.Handling(command))
                {
                    case "skip":
                        break;
                    case "interrupt":
                        shell.RunUntilTraining(command);
                        break;
                    case var _ when command.StartsWith("sweepcluster node ", StringComparison.Ordinal):
                        shell.StartNode(command);
                        break;
                    case var _ when command.StartsWith("sweepcluster dashboard", StringComparison.Ordinal):
                        shell.CheckDashboard(command);
                        break;
                    default:
                        shell.Run(command);
                        break;
                }
            }
            shell.StopNodes();
        }
        if (skipped.Count > 0)
        {
            Assert.Skip("not run, a package is absent here (.ci/run installs it): " + string.Join("; ", skipped));
        }
    }
}
