using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using SweepCluster.Sweeps;
using SweepCluster.Training;
using SweepCluster.Training.Data;
using SweepCluster.Training.State;
using SweepCluster.Trials;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : TrialOptions
    {
        [CommandOption("-o|--out <FILE>")]
        [Description("Write checkpoints (JSON lines) to FILE instead of stdout.")]
        public string? Out { get; init; }

        [CommandOption("--save-state <DIR>")]
        [Description("Save resumable training states (safetensors) into DIR, as state-step{N}.safetensors.")]
        public string? SaveState { get; init; }

        [CommandOption("--save-every <N>")]
        [Description("With --save-state: save every N steps (default: only when interrupted and at the end).")]
        public int? SaveEvery { get; init; }

        [CommandOption("--resume-from <FILE>")]
        [Description("Continue from a saved training state; the trial's keys must match those it was saved with (steps and stop may change).")]
        public string? ResumeFrom { get; init; }

        public override ValidationResult Validate()
        {
            if (SaveEvery is not null && SaveState is null)
            {
                return ValidationResult.Error("--save-every needs --save-state DIR");
            }
            return SaveEvery is <= 0 ? ValidationResult.Error($"--save-every must be at least 1, found {SaveEvery}") : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var overrides = settings.Overrides();
        var spec = settings.Config is null ? TrialYaml.FromOverrides(overrides) : TrialYaml.Load(settings.Config, overrides);
        // A path in the config file is relative to that file; one given as a flag, to the working directory.
        if (settings.Config is not null && !overrides.Any(o => o.Key.StartsWith("dataset.", StringComparison.Ordinal) && o.Key.EndsWith("path", StringComparison.Ordinal)))
        {
            spec = spec with { Dataset = DatasetPaths.Resolve(spec.Dataset, Path.GetDirectoryName(Path.GetFullPath(settings.Config))!) };
        }
        var resume = settings.ResumeFrom is null ? null : TrainingState.Load(settings.ResumeFrom);
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = NativeAllocation.Guard(spec.Model, () => new TrialRunner(spec, data, resume) { SaveStateEvery = settings.SaveEvery });

        if (settings.SaveState is not null)
        {
            Directory.CreateDirectory(settings.SaveState);
        }
        using var output = settings.Out is null ? Console.Out : new StreamWriter(settings.Out, append: false);
        var observer = new JsonLinesObserver(output, settings.SaveState);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        TrialOutcome outcome;
        try
        {
            outcome = NativeAllocation.Guard(spec.Model, () => runner.Run(observer, interrupt.Token));
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        if (settings.SaveState is not null && outcome.End != TrialEnd.Cancelled && outcome.End != TrialEnd.Diverged)
        {
            observer.OnState(runner.Capture(outcome.Step, outcome.Final?.WallMs ?? 0));
        }
        Report(spec, outcome);
        return outcome.End switch
        {
            TrialEnd.Diverged => ExitCodes.Diverged,
            TrialEnd.Cancelled => ExitCodes.Interrupted,
            _ => ExitCodes.Success,
        };
    }

    private static void Report(TrialSpec spec, TrialOutcome outcome)
    {
        var fit = outcome.FirstFitStep is { } f ? $"step {f}" : "never";
        var final = outcome.Final;
        Console.Error.WriteLine(
            $"{TrialJson.StableId(spec)} {Names(spec)}: {outcome.End} at step {outcome.Step}; 100% train accuracy: {fit}; loss {final?.Loss:G4}; margins l1 {final?.MarginL1:G4} l2 {final?.MarginL2:G4} linf {final?.MarginLinf:G4}{(outcome.Reason is null ? "" : "; " + outcome.Reason)}");
    }

    private static string Names(TrialSpec spec) =>
        $"{spec.Algorithm.ToString().ToLowerInvariant()} lr={spec.Lr:G4} depth={spec.Model.Depth} width={spec.Model.Width} seed={spec.Seed}";

    private sealed class JsonLinesObserver(TextWriter output, string? stateFolder) : ITrialObserver
    {
        public void OnCheckpoint(Checkpoint checkpoint)
        {
            output.WriteLine(TrialJson.Serialize(checkpoint));
            output.Flush();
        }

        public void OnState(TrainingState state)
        {
            if (stateFolder is not null)
            {
                state.Save(Path.Combine(stateFolder, $"state-step{state.Step}.safetensors"));
            }
        }
    }
}
