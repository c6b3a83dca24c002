using System.Buffers.Binary;
using System.IO.Compression;
using SweepCluster.Training.Data;
using SweepCluster.Trials;

namespace SweepCluster.Training.Tests;

public sealed class DatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-data-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes a tiny IDX pair: count images of 2x3 pixels whose value encodes the index, and the given labels.</summary>
    private void WriteIdx(string prefix, byte[] labels, bool gzip = false, int? imagesMagic = null, int truncateImagesBy = 0)
    {
        var labelBytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(labelBytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(labelBytes.AsSpan(4), labels.Length);
        labels.CopyTo(labelBytes, 8);
        var imageBytes = new byte[16 + labels.Length * 6];
        BinaryPrimitives.WriteInt32BigEndian(imageBytes, imagesMagic ?? 0x803);
        BinaryPrimitives.WriteInt32BigEndian(imageBytes.AsSpan(4), labels.Length);
        BinaryPrimitives.WriteInt32BigEndian(imageBytes.AsSpan(8), 2);
        BinaryPrimitives.WriteInt32BigEndian(imageBytes.AsSpan(12), 3);
        for (var i = 0; i < labels.Length; i++)
        {
            imageBytes.AsSpan(16 + i * 6, 6).Fill((byte)(i * 10));
        }
        Write($"{prefix}-labels-idx1-ubyte", labelBytes, gzip);
        Write($"{prefix}-images-idx3-ubyte", imageBytes[..^truncateImagesBy], gzip);
    }

    private void Write(string name, byte[] bytes, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(Path.Combine(_folder, name), bytes);
            return;
        }
        using var file = File.Create(Path.Combine(_folder, name + ".gz"));
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
    }

    private IdxDatasetSpec Idx(int[] classes, int train = 4, int test = 0) => new(_folder, classes, train, test, Seed: 0);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Idx_files_load_the_chosen_classes_scaled_to_unit_range(bool gzip)
    {
        WriteIdx("train", [0, 1, 2, 1, 0, 2, 1, 0], gzip);
        WriteIdx("t10k", [2, 0, 2], gzip);
        using var data = DatasetLoader.Load(Idx([2, 0], train: 5, test: 2));
        Assert.Equal(2, data.Classes);
        Assert.Equal([5L, 6L], data.TrainX.shape);
        Assert.Equal([2L, 6L], data.TestX!.shape);
        var labels = data.TrainLabels.data<float>().ToArray();
        Assert.All(labels, l => Assert.Contains(l, new[] { 1f, -1f }));
        // Pixel value i*10/255 identifies the source image: check that each label matches its image.
        var pixels = data.TrainX.data<float>().ToArray();
        byte[] source = [0, 1, 2, 1, 0, 2, 1, 0];
        for (var k = 0; k < 5; k++)
        {
            var index = (int)Math.Round(pixels[k * 6] * 255 / 10);
            Assert.Equal(source[index] == 2 ? 1f : -1f, labels[k]);
        }
        Assert.All(pixels, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public void Idx_with_more_than_two_classes_is_a_multiclass_problem()
    {
        WriteIdx("train", [0, 1, 2, 1, 0, 2, 1, 0]);
        using var data = DatasetLoader.Load(Idx([0, 1, 2], train: 6));
        Assert.Equal(3, data.Classes);
        Assert.Equal(3, data.Outputs);
        Assert.Equal(TorchSharp.torch.ScalarType.Int64, data.TrainLabels.dtype);
    }

    [Fact]
    public void Idx_subsample_is_deterministic_by_seed()
    {
        WriteIdx("train", [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
        using var a = DatasetLoader.Load(Idx([0, 1], train: 4));
        using var b = DatasetLoader.Load(Idx([0, 1], train: 4));
        using var c = DatasetLoader.Load(Idx([0, 1], train: 4) with { Seed = 7 });
        Assert.Equal(a.TrainX.data<float>().ToArray(), b.TrainX.data<float>().ToArray());
        Assert.NotEqual(a.TrainX.data<float>().ToArray(), c.TrainX.data<float>().ToArray());
    }

    [Fact]
    public void Missing_idx_file_is_named()
    {
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(Idx([0, 1])));
        Assert.Contains("train-labels-idx1-ubyte", error.File);
        Assert.Contains("not found", error.Problem);
    }

    [Fact]
    public void Wrong_magic_number_is_named()
    {
        WriteIdx("train", [0, 1, 0, 1], imagesMagic: 0x801);
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(Idx([0, 1])));
        Assert.EndsWith("train-images-idx3-ubyte", error.File);
        Assert.Contains("is not an IDX file of images", error.Problem);
    }

    [Fact]
    public void Truncated_file_is_named()
    {
        WriteIdx("train", [0, 1, 0, 1], truncateImagesBy: 5);
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(Idx([0, 1])));
        Assert.EndsWith("train-images-idx3-ubyte", error.File);
        Assert.Contains("truncated", error.Problem);
    }

    [Fact]
    public void Class_not_in_the_data_is_named()
    {
        WriteIdx("train", [0, 1, 0, 1]);
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Check(Idx([0, 7])));
        Assert.EndsWith("train-labels-idx1-ubyte", error.File);
        Assert.Contains("no points of class 7", error.Problem);
    }

    [Fact]
    public void Asking_for_more_points_than_the_classes_have_is_an_error()
    {
        WriteIdx("train", [0, 1, 0, 1]);
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(Idx([0, 1], train: 9)));
        Assert.Contains("only 4 points", error.Problem);
    }

    private string Csv(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Csv_with_plus_minus_one_labels_is_binary_and_may_have_a_header()
    {
        var path = Csv("a.csv", "x1,x2,label\n1,2,1\n3,4,-1\n\n# note\n5,6,1\n");
        using var data = DatasetLoader.Load(new CsvDatasetSpec(path, null));
        Assert.Equal(2, data.Classes);
        Assert.Equal([1f, -1f, 1f], data.TrainLabels.data<float>().ToArray());
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], data.TrainX.data<float>().ToArray());
    }

    [Fact]
    public void Csv_with_class_indices_is_multiclass()
    {
        var path = Csv("b.csv", "1,0\n2,2\n3,1\n");
        using var data = DatasetLoader.Load(new CsvDatasetSpec(path, null));
        Assert.Equal(3, data.Classes);
    }

    [Fact]
    public void Csv_row_of_the_wrong_width_is_named_with_its_line()
    {
        var path = Csv("c.csv", "1,2,1\n3,4,-1\n5,1\n");
        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec(path, null)));
        Assert.Equal(path, error.File);
        Assert.Contains("line 3: row has 2 columns, expected 3", error.Problem);
    }

    [Fact]
    public void Csv_with_a_bad_label_or_text_is_named_with_its_line()
    {
        var bad = Csv("d.csv", "1,2,0.5\n3,4,1\n");
        var label = Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec(bad, null))).Problem;
        Assert.Contains("line 1: the label", label);
        var text = Csv("e.csv", "1,2,1\n3,secret,-1\n");
        var cell = Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec(text, null))).Problem;
        Assert.Contains("line 2, column 2: not a finite number", cell);
        // The position only: a file that is not the user's must not leak through its errors.
        Assert.DoesNotContain("0.5", label);
        Assert.DoesNotContain("secret", cell);
        Assert.Contains("not found", Assert.Throws<DatasetException>(() => DatasetLoader.Load(new CsvDatasetSpec(Path.Combine(_folder, "none.csv"), null))).Problem);
    }

    [Fact]
    public void Fashion_mnist_from_the_debian_package_loads_when_installed()
    {
        if (!Directory.Exists(IdxDatasetSpec.DefaultPath))
        {
            Assert.Skip($"{IdxDatasetSpec.DefaultPath} is absent: install the dataset-fashion-mnist package to run this test.");
        }
        using var data = DatasetLoader.Load(new IdxDatasetSpec(IdxDatasetSpec.DefaultPath, [0, 6], 250, 100, 0));
        Assert.Equal([250L, 784L], data.TrainX.shape);
        Assert.Equal([100L, 784L], data.TestX!.shape);
        var labels = data.TrainLabels.data<float>().ToArray();
        Assert.Contains(1f, labels);
        Assert.Contains(-1f, labels);
    }
}
