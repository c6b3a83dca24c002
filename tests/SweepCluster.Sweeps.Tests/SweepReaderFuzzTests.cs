using System.Diagnostics;
using CsCheck;
using SweepCluster.Tests.Shared;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Sweeps.Tests;

/// <summary>Mutated sweep files through the reader: each is accepted, or refused with every error located, quickly and in bounded memory.</summary>
public sealed class SweepReaderFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(2);
    private const long MaxAllocatedBytes = 256L << 20;

    /// <summary>500 in the suite; SWEEPCLUSTER_FUZZ_ITERATIONS runs a longer search by hand.</summary>
    private static readonly long Iterations = long.TryParse(Environment.GetEnvironmentVariable("SWEEPCLUSTER_FUZZ_ITERATIONS"), out var n) ? n : 500;

    [Fact]
    public void Every_mutant_is_accepted_or_refused_with_file_line_and_column()
    {
        var corpus = SweepMutations.RepositorySweeps();
        Assert.NotEmpty(corpus);

        var (accepted, refused, slowest, mostAllocated) = (0, 0, TimeSpan.Zero, 0L);
        SweepMutations.Of(corpus).Sample(text =>
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            try
            {
                SweepReader.Parse(text, "fuzz.yaml");
                Interlocked.Increment(ref accepted);
            }
            catch (ConfigException e)
            {
                Interlocked.Increment(ref refused);
                Assert.NotEmpty(e.Errors);
                Assert.All(e.Errors, error =>
                {
                    Assert.Equal("fuzz.yaml", error.File);
                    Assert.True(error.Line >= 1 && error.Column >= 1, $"not located: {error}");
                });
            }
            clock.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            (slowest, mostAllocated) = (clock.Elapsed > slowest ? clock.Elapsed : slowest, Math.Max(allocated, mostAllocated));
            Assert.True(clock.Elapsed < MaxTime, $"took {clock.Elapsed}");
            Assert.True(allocated < MaxAllocatedBytes, $"allocated {allocated:N0} bytes");
        }, iter: Iterations, threads: 1, print: text => text);

        output.WriteLine($"{accepted} accepted, {refused} refused; slowest {slowest.TotalMilliseconds:F1} ms, most allocated {mostAllocated:N0} bytes");
        // Both outcomes occur, or the mutations would test one path only.
        Assert.True(accepted > 0 && refused > 0, $"{accepted} accepted, {refused} refused");
    }
}
