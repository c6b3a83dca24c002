using System.Diagnostics;
using System.IO.Compression;
using SweepCluster.Training.Data;
using SweepCluster.Trials;

namespace SweepCluster.Training.Tests;

/// <summary>What a cluster worker reads: only under its data roots, only regular files, within bounds.</summary>
public sealed class DataRootsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-roots-").FullName;

    public DataRootsTests()
    {
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, "ok.csv"), "1,2,1\n3,4,-1\n");
        File.WriteAllText(Path.Combine(_folder, "outside.csv"), "5,6,1\n7,8,-1\n");
    }

    private string Root => Path.Combine(_folder, "data");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private DataRoots Roots() => DataRoots.Resolve(["data"], _folder);

    [Fact]
    public void A_relative_path_is_found_under_a_root_and_loads()
    {
        using var data = DatasetLoader.Load(new CsvDatasetSpec("ok.csv", null), Roots());

        Assert.Equal(2, data.TrainCount);
    }

    [Theory]
    [InlineData("../outside.csv")]
    [InlineData("../../../../../../etc/shadow")]
    [InlineData("/etc/passwd")]
    public void A_path_outside_the_roots_is_refused_naming_the_roots(string path)
    {
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec(path, null), Roots()));

        Assert.Contains("outside this worker's data roots", error.Problem);
        Assert.Contains(Root, error.Problem);
    }

    [Fact]
    public void A_symbolic_link_under_a_root_that_leads_out_of_it_is_refused()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "link.csv"), Path.Combine(_folder, "outside.csv"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "etc"), "/etc");

        Assert.Contains("outside", Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec("link.csv", null), Roots())).Problem);
        Assert.Contains("outside", Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec("etc/passwd", null), Roots())).Problem);
        Assert.Contains("outside", Assert.Throws<DatasetException>(() => DatasetLoader.Load(new IdxDatasetSpec("etc", [0, 1], 2, 0, 0), Roots())).Problem);
    }

    [Fact]
    public void A_device_or_a_fifo_is_refused_without_reading_or_blocking()
    {
        var fifo = Path.Combine(Root, "pipe.csv");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            mkfifo.WaitForExit();
        }

        Assert.Contains("not a regular file", Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec(fifo, null))).Problem);
        Assert.Contains("not a regular file", Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec("/dev/zero", null))).Problem);
    }

    [Fact]
    public void A_gzip_bomb_is_refused_without_inflating_it()
    {
        // Zeros that compress about 1000:1: far more inflated than any dataset may hold.
        var zeros = Path.Combine(Root, "train-labels-idx1-ubyte.gz");
        WriteGzip(zeros, header: [], megabytes: 600);
        Assert.Contains("is not an IDX file of labels", Assert.Throws<DatasetException>(() => DatasetLoader.Check(new IdxDatasetSpec(Root, [0, 1], 2, 0, 0))).Problem);

        // A valid header that announces two billion labels is refused before anything that size is allocated.
        File.Delete(zeros);
        WriteGzip(zeros, header: [0, 0, 8, 1, 0x7f, 0xff, 0xff, 0xff], megabytes: 1);
        var announced = Assert.Throws<DatasetException>(() => DatasetLoader.Check(new IdxDatasetSpec(Root, [0, 1], 2, 0, 0)));
        Assert.Contains("its header announces 2147483647 labels", announced.Problem);
    }

    private static void WriteGzip(string path, byte[] header, int megabytes)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(header);
        var zeros = new byte[1 << 20];
        for (var i = 0; i < megabytes; i++)
        {
            gzip.Write(zeros);
        }
    }

    [Fact]
    public void A_line_longer_than_the_bound_is_refused_by_its_number()
    {
        var path = Path.Combine(Root, "long.csv");
        File.WriteAllText(path, "1,2,1\n" + new string('9', DatasetFiles.MaxLineChars + 10) + "\n");

        Assert.Contains("line 2 is longer than", Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec(path, null))).Problem);
    }
}
