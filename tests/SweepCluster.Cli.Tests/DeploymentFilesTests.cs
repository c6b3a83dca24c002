using System.Diagnostics;
using SweepCluster.Cli.Commands;

namespace SweepCluster.Cli.Tests;

public sealed class DeploymentFilesTests
{
    private static string Repository([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    [Theory]
    [InlineData("coordinator.yaml", "coordinator", 4053)]
    [InlineData("worker-1.yaml", "worker", 4054)]
    [InlineData("worker-2.yaml", "worker", 4055)]
    [InlineData("compose-coordinator.yaml", "coordinator", 4053)]
    [InlineData("compose-worker.yaml", "worker", 4053)]
    public void Cluster_config_files_are_valid_node_settings(string file, string role, int port)
    {
        var settings = NodeSettingsFile.Load(Path.Combine(Repository(), "cluster-config", file));
        Assert.Equal([role], settings.Roles);
        Assert.Equal(port, settings.Port);
        Assert.NotEmpty(settings.Seeds!);
        // Secure by default: every shipped node speaks mutual TLS, on loopback too.
        Assert.EndsWith(".p12", settings.Tls);
    }

    [Fact]
    public void A_node_settings_file_with_a_typo_is_refused_with_its_line()
    {
        var path = Path.Combine(Path.GetTempPath(), $"node-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "roles: [worker]\nprot: 4054\n");
        try
        {
            var error = Assert.Single(Assert.Throws<Trials.Yaml.ConfigException>(() => NodeSettingsFile.Load(path)).Errors);
            Assert.Equal(("prot", 2), (error.Key, error.Line));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Docker_compose_accepts_the_compose_file()
    {
        var (tool, args) = File.Exists("/usr/bin/docker-compose") ? ("docker-compose", "config") : ("docker", "compose config");
        var info = new ProcessStartInfo(tool, args) { WorkingDirectory = Repository(), RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("neither docker-compose nor the docker client is installed: install Debian's docker-compose to check docker-compose.yml");
            return;
        }
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && error.Contains("unknown command", StringComparison.Ordinal))
        {
            Assert.Skip("the docker client has no compose command here: install Debian's docker-compose to check docker-compose.yml");
        }
        Assert.True(process.ExitCode == 0, error);
    }
}
