namespace SweepCluster.Cli.Tests;

/// <summary>A misspelled option or an unconvertible value ends the command with exit 2, naming it and the nearest known option; it is never ignored.</summary>
public sealed class StrictOptionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweepcluster-options-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("results quickstart --metrics margin_l2", "unknown option --metrics for `sweepcluster results`; did you mean --metric?")]
    [InlineData("plot quickstart --metrics margin_linf --out p.png", "unknown option --metrics for `sweepcluster plot`; did you mean --metric?")]
    [InlineData("curves quickstart --trials ID", "unknown option --trials for `sweepcluster curves`; did you mean --trial?")]
    [InlineData("run tiny.yaml --slot 1", "unknown option --slot for `sweepcluster run`; did you mean --slots?")]
    [InlineData("status --jsn", "unknown option --jsn for `sweepcluster status`; did you mean --json?")]
    [InlineData("node --stor X", "unknown option --stor for `sweepcluster node`; did you mean --store?")]
    [InlineData("certs issue a --dri x", "unknown option --dri for `sweepcluster certs issue`; did you mean --dir?")]
    [InlineData("train --dataset synthetic --algorithm gd --lr 0.1 --optimizer adam", "unknown option --optimizer for `sweepcluster train`; its options: --algorithm,")]
    [InlineData("status --save-state-seconds 5", "unknown option --save-state-seconds for `sweepcluster status`")]
    [InlineData("run tiny.yaml --slots abc", "--slots: 'abc' is not a whole number")]
    [InlineData("run tiny.yaml --save-state-seconds soon", "--save-state-seconds: 'soon' is not a number")]
    public void An_unknown_option_or_bad_value_is_exit_2_naming_it(string commandLine, string message)
    {
        var result = Cli.Run(_folder, commandLine.Split(' '));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error: {message}", result.Stderr);
        Assert.Empty(result.Stdout);
        Assert.False(Directory.Exists(Path.Combine(_folder, ".sweepcluster")), "nothing may be written");
    }

    [Fact]
    public void A_plot_into_a_missing_folder_names_the_folder_not_a_temporary_file()
    {
        var result = Cli.Run(_folder, "plot", "quickstart", "--out", "/missing/f.png");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: --out /missing/f.png: the folder /missing does not exist", result.Stderr);
    }

    [Fact]
    public void The_version_is_printed()
    {
        var result = Cli.Run(_folder, "--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+\s*$", result.Stdout);
    }
}
