using System.Text.Json;

namespace SweepCluster.Cli.Tests;

/// <summary>What `sweepcluster status STUDY --json` says, for tests that compare studies.</summary>
internal static class StudyJson
{
    public static Dictionary<string, JsonElement> Trials(string folder, string study, string? store = null)
    {
        var args = store is null ? new[] { "status", study, "--json" } : ["status", study, "--json", "--store", store];
        var status = Cli.Run(folder, args);
        Assert.True(status.ExitCode == 0, status.Stderr);
        return JsonDocument.Parse(status.Stdout).RootElement.GetProperty("trials").EnumerateArray()
            .ToDictionary(t => t.GetProperty("trial_id").GetString()!, t => t.Clone());
    }

    /// <summary>A checkpoint as JSON without its wall-clock time: what two runs of one trial must agree on.</summary>
    public static string WithoutWallTime(JsonElement checkpoint) =>
        JsonSerializer.Serialize(checkpoint.EnumerateObject().Where(p => p.Name != "wall_ms").ToDictionary(p => p.Name, p => p.Value));
}
