using SweepCluster.Cli;
using SweepCluster.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("sweepcluster");
    config.PropagateExceptions();
    config.AddCommand<TrainCommand>("train")
        .WithDescription("Train one network with one algorithm and write its margin checkpoints as JSON lines.")
        .WithExample("train", "--config", "trial.yaml", "--out", "checkpoints.jsonl")
        .WithExample("train", "--dataset", "synthetic", "--algorithm", "sign", "--lr", "0.001", "--steps", "2000");
});
return await CliErrors.Run(() => app.RunAsync(args));
