namespace SweepCluster.Cli.Tests;

/// <summary>
/// Tests that start several real processes (cluster nodes, PostgreSQL) run one after another rather than
/// side by side: on 2 cores their timing would otherwise measure the machine's load, not the product.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "chaos";
}
