using System.Diagnostics;
using System.Text.RegularExpressions;
using CsCheck;
using SweepCluster.Tests.Shared;

namespace SweepCluster.Cli.Tests;

/// <summary>Mutated sweep files through `sweepcluster validate`, as a separate process in a 256 MB heap: exit 0, or exit 2 with every error located.</summary>
public sealed partial class ValidateFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly Dictionary<string, string?> BoundedHeap = new() { ["DOTNET_GCHeapHardLimit"] = "0x10000000" };
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Every_mutant_is_valid_or_refused_with_exit_2_and_located_errors()
    {
        var (valid, refused, slowest) = (0, 0, TimeSpan.Zero);
        SweepMutations.Of(SweepMutations.RepositorySweeps()).Sample(text =>
        {
            File.WriteAllText(Path.Combine(_folder, "fuzz.yaml"), text);
            var clock = Stopwatch.StartNew();
            var result = Cli.Run(_folder, BoundedHeap, null, "validate", "fuzz.yaml");
            clock.Stop();
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;

            Assert.True(result.ExitCode is 0 or 2, $"exit {result.ExitCode}: {result.Stderr}");
            Assert.DoesNotContain("   at ", result.Stderr);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
            if (result.ExitCode == 2)
            {
                refused++;
                var errors = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(errors);
                Assert.All(errors, e => Assert.Matches(Located(), e));
            }
            else
            {
                valid++;
            }
        }, iter: 40, threads: 1, print: text => text);
        output.WriteLine($"{valid} valid, {refused} refused; slowest {slowest.TotalSeconds:F2} s");
    }

    [GeneratedRegex(@"^error: fuzz\.yaml:\d+:\d+: ")]
    private static partial Regex Located();
}
