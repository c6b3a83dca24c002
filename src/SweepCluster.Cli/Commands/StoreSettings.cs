using System.ComponentModel;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Storage;

namespace SweepCluster.Cli.Commands;

/// <summary>The --store option every command that reads or writes studies takes.</summary>
public class StoreSettings : CommandSettings
{
    [CommandOption("--store <STORE>")]
    [Description("A SQLite file path or a PostgreSQL connection string (Host=...;Database=...;Username=...). Default: $SWEEPCLUSTER_STORE, else .sweepcluster/sweepcluster.db in the working directory.")]
    public string? Store { get; init; }

    public StoreOptions ResolveStore() => StoreOptions.Resolve(Store, Directory.GetCurrentDirectory());

    /// <summary>Logs go beside a SQLite store, else into .sweepcluster/logs in the working directory.</summary>
    public static string LogFolder(StoreOptions store) =>
        Path.Combine(store.SqliteFolder ?? Path.Combine(Directory.GetCurrentDirectory(), StoreOptions.DefaultFolder), "logs");
}

/// <summary>The options of the commands that run trials (`run`, `resume`, `node`): a store, how often states are saved, logs.</summary>
public class TrainingStoreSettings : StoreSettings
{
    [CommandOption("--save-state-seconds <S>")]
    [Description("How often a running trial sends its training state to the coordinator, in seconds (default 30). After a crash it continues from there.")]
    public double? SaveStateSeconds { get; init; }

    public TimeSpan SaveStateInterval => TimeSpan.FromSeconds(SaveStateSeconds is > 0 ? SaveStateSeconds.Value : 30);

    [CommandOption("--log-json")]
    [Description("Write logs (stderr and the log file) as compact JSON.")]
    public bool LogJson { get; init; }
}
