using System.ComponentModel;
using Spectre.Console.Cli;

namespace SweepCluster.Cli.Commands;

public sealed class ValidateCommand : Command<ValidateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The sweep file to check.")]
        public string File { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var sweep = SweepValidation.Load(settings.File);
        var algorithms = string.Join(", ", sweep.Trials.GroupBy(t => t.Spec.Algorithm).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        Console.WriteLine($"{settings.File}: study {sweep.Study}, {sweep.Trials.Count} trials ({algorithms}), max_retries {sweep.MaxRetries}");
        foreach (var note in sweep.Notes)
        {
            Console.WriteLine($"note: {note}");
        }
        if (sweep.Scheduler is { } scheduler)
        {
            Console.WriteLine(SchedulerSummary.Describe(scheduler, sweep.Trials));
        }
        return ExitCodes.Success;
    }
}
