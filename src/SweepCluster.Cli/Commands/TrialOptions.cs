using System.ComponentModel;
using Spectre.Console.Cli;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// The trial keys as command-line flags. Values stay text here: they are written into the trial's YAML
/// tree and checked by the same reader as a config file, so a flag and a file key fail the same way.
/// </summary>
public class TrialOptions : CommandSettings
{
    [CommandOption("--config <FILE>")]
    [Description("A YAML file with the trial's keys (the keys of one trial of a sweep file). Flags override its values.")]
    public string? Config { get; init; }

    [CommandOption("--dataset <KIND>")]
    [Description("dataset.kind: synthetic, teacher, sparse-teacher, idx or csv. Required without --config.")]
    public string? Dataset { get; init; }

    [CommandOption("-n|--points <N>")]
    [Description("dataset.n, training points of synthetic/teacher/sparse-teacher data (default 200).")]
    public string? N { get; init; }

    [CommandOption("--dim <D>")]
    [Description("dataset.dim, input dimension of synthetic/teacher data (default 20).")]
    public string? Dim { get; init; }

    [CommandOption("--data-margin <M>")]
    [Description("dataset.margin, the l2 margin of synthetic data (default 0.1).")]
    public string? DataMargin { get; init; }

    [CommandOption("--teacher-width <W>")]
    [Description("dataset.width, hidden width of the teacher network (default 16).")]
    public string? TeacherWidth { get; init; }

    [CommandOption("--nonzeros <K>")]
    [Description("dataset.nonzeros, the teacher's nonzero weights for sparse-teacher data (default 3).")]
    public string? Nonzeros { get; init; }

    [CommandOption("--data-seed <SEED>")]
    [Description("dataset.seed, draws the data or the idx subsample (default 0).")]
    public string? DataSeed { get; init; }

    [CommandOption("--data-path <PATH>")]
    [Description("dataset.path: the IDX folder (default /usr/share/datasets/fashion-mnist) or the CSV file.")]
    public string? DataPath { get; init; }

    [CommandOption("--classes <LIST>")]
    [Description("dataset.classes for idx data, comma-separated, e.g. 0,6. Two classes are labelled +1 (first) and -1.")]
    public string? Classes { get; init; }

    [CommandOption("--train <N>")]
    [Description("dataset.train, training points of idx data (default 250).")]
    public string? Train { get; init; }

    [CommandOption("--test <N>")]
    [Description("dataset.test, test points (default 0: no test split).")]
    public string? Test { get; init; }

    [CommandOption("--depth <L>")]
    [Description("model.depth, linear layers; 1 is a linear model (default 2).")]
    public string? Depth { get; init; }

    [CommandOption("--width <W>")]
    [Description("model.width, hidden width (default 64).")]
    public string? Width { get; init; }

    [CommandOption("--init <KIND>")]
    [Description("model.init: normal (N(0,1)), uniform (U(+-1/sqrt(fan_in))) or zeros (default normal).")]
    public string? Init { get; init; }

    [CommandOption("--init-scale <S>")]
    [Description("model.init_scale, multiplies the initial weights (default 0.01).")]
    public string? InitScale { get; init; }

    [CommandOption("--loss <KIND>")]
    [Description("exponential or logistic (default exponential).")]
    public string? Loss { get; init; }

    [CommandOption("--reduction <KIND>")]
    [Description("sum or mean (default sum).")]
    public string? Reduction { get; init; }

    [CommandOption("--algorithm <NAME>")]
    [Description("gd, sign, coordinate, steepest or adam. Required without --config.")]
    public string? Algorithm { get; init; }

    [CommandOption("--lr <LR>")]
    [Description("Learning rate, > 0. Required without --config.")]
    public string? Lr { get; init; }

    [CommandOption("--step <FORM>")]
    [Description("dual (unit direction times the dual norm of g) or normalized (unit direction) (default dual).")]
    public string? Step { get; init; }

    [CommandOption("--lr-schedule <KIND>")]
    [Description("constant, or loss-scaled (lr / L(theta_t)) (default constant).")]
    public string? LrSchedule { get; init; }

    [CommandOption("-p|--norm-p <P>")]
    [Description("The norm p in (1, inf) of algorithm steepest.")]
    public string? P { get; init; }

    [CommandOption("--beta1 <B>")]
    [Description("Adam's beta1 (default 0.9).")]
    public string? Beta1 { get; init; }

    [CommandOption("--beta2 <B>")]
    [Description("Adam's beta2 (default 0.999).")]
    public string? Beta2 { get; init; }

    [CommandOption("--eps <E>")]
    [Description("Adam's eps, 0 allowed (default 1e-8).")]
    public string? Eps { get; init; }

    [CommandOption("--kink-hold <BOOL>")]
    [Description("kink_hold for algorithm coordinate: true holds a coordinate that bounces straight back across a ReLU kink (not the paper's rule); false is greedy coordinate descent as written (default false).")]
    public string? KinkHold { get; init; }

    [CommandOption("--batch-size <N>")]
    [Description("Mini-batch size with seeded shuffling (default: full batch).")]
    public string? BatchSize { get; init; }

    [CommandOption("--steps <N>")]
    [Description("Number of updates (default 1000).")]
    public string? Steps { get; init; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Checkpoint interval in steps; step 0 and the last step always have one (default 50).")]
    public string? CheckpointEvery { get; init; }

    [CommandOption("--stop-loss-below <L>")]
    [Description("stop.loss_below: stop once the loss is below this (default 0: never).")]
    public string? StopLossBelow { get; init; }

    [CommandOption("--stop-wall-seconds <S>")]
    [Description("stop.wall_seconds: stop after this much wall-clock time (default: no limit).")]
    public string? StopWallSeconds { get; init; }

    [CommandOption("--seed <SEED>")]
    [Description("Seeds initialization and data order (default 0).")]
    public string? Seed { get; init; }

    [CommandOption("--torch-threads <N>")]
    [Description("libtorch threads for this trial; results are bit-reproducible for a fixed count (default 1).")]
    public string? TorchThreads { get; init; }

    public IReadOnlyList<KeyOverride> Overrides()
    {
        (string Flag, string Key, string? Value)[] all =
        [
            ("--dataset", "dataset.kind", Dataset), ("--points", "dataset.n", N), ("--dim", "dataset.dim", Dim),
            ("--data-margin", "dataset.margin", DataMargin), ("--teacher-width", "dataset.width", TeacherWidth), ("--nonzeros", "dataset.nonzeros", Nonzeros),
            ("--data-seed", "dataset.seed", DataSeed), ("--data-path", "dataset.path", DataPath),
            ("--classes", "dataset.classes", Classes), ("--train", "dataset.train", Train), ("--test", "dataset.test", Test),
            ("--depth", "model.depth", Depth), ("--width", "model.width", Width), ("--init", "model.init", Init),
            ("--init-scale", "model.init_scale", InitScale), ("--loss", "loss", Loss), ("--reduction", "reduction", Reduction),
            ("--algorithm", "algorithm", Algorithm), ("--lr", "lr", Lr), ("--step", "step", Step),
            ("--lr-schedule", "lr_schedule", LrSchedule), ("--norm-p", "p", P), ("--beta1", "beta1", Beta1),
            ("--beta2", "beta2", Beta2), ("--eps", "eps", Eps), ("--kink-hold", "kink_hold", KinkHold), ("--batch-size", "batch_size", BatchSize),
            ("--steps", "steps", Steps), ("--checkpoint-every", "checkpoint_every", CheckpointEvery),
            ("--stop-loss-below", "stop.loss_below", StopLossBelow), ("--stop-wall-seconds", "stop.wall_seconds", StopWallSeconds),
            ("--seed", "seed", Seed), ("--torch-threads", "torch_threads", TorchThreads),
        ];
        return all.Where(o => o.Value is not null).Select(o => new KeyOverride(o.Key, o.Value!, o.Flag)).ToList();
    }
}
