using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using SweepCluster.Query.Projection;
using SweepCluster.Query.ReadModel;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

public sealed class StatusCommand : AsyncCommand<StatusCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "[STUDY]")]
        [Description("A study: list its trials. Without it, every study with its trial counts by state.")]
        public string? Study { get; init; }

        [CommandOption("--json")]
        [Description("Print JSON instead of a table.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = settings.ResolveStore();
        if (await QueryStore.ReadyAsync(store, cancellationToken) is not { } readable)
        {
            if (settings.Study is not null)
            {
                CliErrors.Error($"{store.Display}: no store here, so no study {settings.Study}");
                return ExitCodes.InvalidInput;
            }
            Console.WriteLine(settings.Json ? "[]" : $"No studies in {store.Display} yet.");
            return ExitCodes.Success;
        }
        var reader = new ReadModelReader(readable);
        var studies = new List<StudyStatus>();
        foreach (var row in await reader.StudiesAsync(settings.Study, cancellationToken))
        {
            studies.Add(await reader.StatusAsync(row, cancellationToken));
        }
        if (settings.Study is not null && studies.Count == 0)
        {
            CliErrors.Error($"{store.Display}: there is no study {settings.Study}");
            return ExitCodes.InvalidInput;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 240;
        }
        if (settings.Json)
        {
            Console.WriteLine(settings.Study is null ? JsonSerializer.Serialize(studies, TrialJson.Indented) : JsonSerializer.Serialize(studies[0], TrialJson.Indented));
            return ExitCodes.Success;
        }
        if (settings.Study is null)
        {
            var table = new Table().AddColumns("study", "phase", "trials", "pending", "running", "completed", "diverged", "failed", "pruned", "created");
            foreach (var s in studies)
            {
                table.AddRow(s.StudyId, s.Phase.ToString().ToLowerInvariant(), $"{s.Total}", $"{s.Pending}", $"{s.Running}", $"{s.Completed}", $"{s.Diverged}", $"{s.Failed}", $"{s.Pruned}", $"{s.CreatedAt:u}");
            }
            console.Write(table);
            return ExitCodes.Success;
        }
        var study = studies[0];
        var trials = new Table().Title($"{study.StudyId} ({study.Phase.ToString().ToLowerInvariant()})")
            .AddColumns("trial", "algorithm", "lr", "seed", "status", "end", "attempt", "step", "margin_l1", "margin_l2", "margin_linf", "reason");
        foreach (var t in study.Trials)
        {
            trials.AddRow(t.TrialId, t.Algorithm.ToString().ToLowerInvariant(), $"{t.Lr:G4}", $"{t.Seed}", t.Status.ToString().ToLowerInvariant(),
                t.End?.ToString() ?? "-", $"{t.Attempt}", $"{Math.Max(t.LastStep, 0)}/{t.Steps}", $"{t.Latest?.MarginL1:G4}", $"{t.Latest?.MarginL2:G4}", $"{t.Latest?.MarginLinf:G4}",
                Markup.Escape(t.Reason ?? ""));
        }
        console.Write(trials);
        return ExitCodes.Success;
    }
}
