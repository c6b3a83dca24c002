using System.Text.RegularExpressions;

namespace SweepCluster.Cli.Tests;

/// <summary>The examples a new user copies run as shown: every YAML block of README.md and docs/, and `train --help`'s examples.</summary>
public sealed partial class DocumentedExamplesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-examples-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, int> YamlBlocks()
    {
        var data = new TheoryData<string, int>();
        var root = Repository.Root();
        foreach (var file in Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Prepend(Path.Combine(root, "README.md")))
        {
            var blocks = YamlBlock().Count(File.ReadAllText(file));
            for (var i = 0; i < blocks; i++)
            {
                data.Add(Path.GetRelativePath(root, file), i);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(YamlBlocks))]
    public void A_yaml_block_validates_as_a_sweep_or_trains_as_a_trial(string document, int index)
    {
        var yaml = YamlBlock().Matches(File.ReadAllText(Path.Combine(Repository.Root(), document)))[index].Groups[1].Value;
        File.WriteAllText(Path.Combine(_folder, "example.yaml"), yaml);
        var result = yaml.Contains("\nstudy:", StringComparison.Ordinal) || yaml.StartsWith("study:", StringComparison.Ordinal)
            ? Cli.Run(_folder, "validate", "example.yaml")
            : Cli.Run(_folder, "train", "--config", "example.yaml", "--out", "checkpoints.jsonl");
        Assert.True(result.ExitCode == 0, $"{document}, YAML block {index + 1}: exit {result.ExitCode}\n{result.Stderr}");
        Assert.DoesNotContain("Diverged", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_help_examples_run_without_diverging()
    {
        // The help is wrapped to the terminal's width: an example may continue on the next line.
        var help = Whitespace().Replace(Cli.Run(_folder, "train", "--help").Stdout, " ");
        var examples = TrainExample().Matches(help).Select(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(a => a.Contains("--dataset")).ToList();
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            var result = Cli.Run(_folder, ["train", .. example, "--out", "checkpoints.jsonl"]);
            Assert.True(result.ExitCode == 0, $"sweepcluster train {string.Join(' ', example)}: exit {result.ExitCode}\n{result.Stderr}");
            Assert.DoesNotContain("Diverged", result.Stderr, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    [GeneratedRegex(@"sweepcluster train ((?:--\S+ \S+ ?)+)")]
    private static partial Regex TrainExample();
}
