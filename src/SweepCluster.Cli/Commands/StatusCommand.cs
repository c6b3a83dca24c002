using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using SweepCluster.Query.Projection;
using SweepCluster.Query.ReadModel;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Metrics;
using SweepCluster.Protocol.Study;
using SweepCluster.Query.Results;
using System.Globalization;
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
        // The keys the study sweeps tell its trials apart (a width axis, say), where algorithm, lr and seed alone may not.
        var swept = await StudyTrials.LoadAsync(reader, study.StudyId, cancellationToken);
        var keys = swept.Parameters.Varying();
        var trials = new Table().Title($"{study.StudyId} ({study.Phase.ToString().ToLowerInvariant()})");
        trials.AddColumns(["trial", .. keys, "state", "attempt", "step", .. MetricRegistry.Summarized.Select(m => m.Name), "reason"]);
        var positions = swept.Trials.Select((r, i) => (r.TrialId, i)).ToDictionary(p => p.TrialId, p => p.i, StringComparer.Ordinal);
        foreach (var t in study.Trials)
        {
            var values = swept.Values(positions[t.TrialId], keys);
            trials.AddRow([
                t.TrialId, .. values.Select(v => Markup.Escape(v.Text)), State(t), $"{t.Attempt}", $"{Math.Max(t.LastStep, 0)}/{t.Steps}",
                .. MetricRegistry.Summarized.Select(m => t.Latest is { } c && m.Finite(c) is { } v ? v.ToString("G4", CultureInfo.InvariantCulture) : "-"),
                Markup.Escape(t.Reason ?? "")]);
        }
        console.Write(trials);
        return ExitCodes.Success;
    }

    /// <summary>A trial's state as a researcher reads it: diverged is not "completed", and a pending trial that has made progress was interrupted.</summary>
    private static string State(TrialSummary t) => t switch
    {
        { Status: TrialStatus.Completed, End: TrialEnd.Diverged } => "diverged",
        { Status: TrialStatus.Completed, End: TrialEnd.Completed or null } => "completed",
        { Status: TrialStatus.Completed, End: { } end } => $"completed ({System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(end.ToString())})",
        { Status: TrialStatus.Pending, LastStep: >= 0 } => "interrupted",
        _ => t.Status.ToString().ToLowerInvariant(),
    };
}
