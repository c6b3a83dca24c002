using System.ComponentModel;
using System.Text.Json;
using Spectre.Console.Cli;
using SweepCluster.Protocol.Study;
using SweepCluster.Query;
using SweepCluster.Cluster.Storage;
using SweepCluster.Query.Curves;
using SweepCluster.Query.Maintenance;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;
using SweepCluster.Trials;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// A study as a folder that needs no SweepCluster to read: every trial's resolved spec, its state and
/// results per configuration, and every checkpoint. Written in a temporary folder beside the target and
/// moved into place whole, so an interrupted export leaves nothing behind.
/// </summary>
public sealed class StudiesExportCommand : AsyncCommand<StudiesExportCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<STUDY>")]
        [Description("The study to export (`sweepcluster studies` lists them).")]
        public string Study { get; init; } = "";

        [CommandOption("--out <FOLDER>")]
        [Description("The folder to create (it must not exist): study.json, trials.jsonl, sweep.yaml (the trials as a sweep file that recreates them), results.csv and curves.csv.")]
        public string? Out { get; init; }

        [CommandOption("--states")]
        [Description("Also write each trial's training state as states/TRIAL.safetensors (PyTorch: safetensors.torch.load_file): its final parameters for a trial that ended as a result, else its newest saved state; trials.jsonl gives the step.")]
        public bool States { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(settings.Out ?? throw new QueryException("studies export needs --out FOLDER, the folder to create"));
        if (Directory.Exists(target) || File.Exists(target))
        {
            throw new QueryException($"--out {settings.Out}: already exists; export into a new folder");
        }
        var parent = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(parent))
        {
            throw new QueryException($"--out {settings.Out}: the folder {parent} does not exist");
        }
        var reader = await QueryStore.OpenAsync(settings, settings.Study, cancellationToken);
        var rows = await reader.StudiesAsync(settings.Study, cancellationToken);
        if (rows.Count == 0)
        {
            throw new QueryException(UnknownStudy.Message(settings.Study, (await reader.StudiesAsync(null, cancellationToken)).Select(r => r.StudyId).ToList()));
        }

        var temporary = Path.Combine(parent, $".{Path.GetFileName(target)}.{Environment.ProcessId}.tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            await WriteAsync(reader, rows[0], temporary, settings.States, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            Directory.Move(temporary, target);
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
        Console.Error.WriteLine($"Exported study {settings.Study} to {target}");
        return ExitCodes.Success;
    }

    private static async Task WriteAsync(ReadModelReader reader, StudyRow study, string folder, bool states, CancellationToken cancellation)
    {
        var status = await reader.StatusAsync(study, cancellation);
        await File.WriteAllTextAsync(Path.Combine(folder, "study.json"), JsonSerializer.Serialize(status, TrialJson.Indented), cancellation);

        var stateSteps = states ? await WriteStatesAsync(reader.Store, study.StudyId, Path.Combine(folder, "states"), cancellation) : null;
        var rows = await reader.TrialsAsync(study.StudyId, cancellation);
        await File.WriteAllTextAsync(Path.Combine(folder, "sweep.yaml"), TrialsSweepFile.Write(study, rows), cancellation);
        await using (var trials = new StreamWriter(Path.Combine(folder, "trials.jsonl")))
        {
            foreach (var trial in rows)
            {
                using var spec = JsonDocument.Parse(trial.SpecJson);
                var line = stateSteps is null
                    ? JsonSerializer.Serialize(new { trial_id = trial.TrialId, state = TrialState.Of(trial.Status, trial.End), spec = spec.RootElement })
                    : JsonSerializer.Serialize(new { trial_id = trial.TrialId, state = TrialState.Of(trial.Status, trial.End), state_step = stateSteps.TryGetValue(trial.TrialId, out var step) ? step : (long?)null, spec = spec.RootElement });
                await trials.WriteLineAsync(line.AsMemory(), cancellation);
            }
        }

        var results = await new ResultsQuery(reader).RunAsync(new ResultsRequest(study.StudyId, new CheckpointAt.Last(), null, [.. ResultsQuery.DefaultMetrics], [], null), cancellation);
        await using (var csv = new StreamWriter(Path.Combine(folder, "results.csv")))
        {
            ResultsFormats.WriteCsv(results, csv);
        }

        var query = new CurvesQuery(reader);
        var (keys, numeric, selected) = await query.SelectAsync(study.StudyId, [], [], cancellation);
        await using var stream = File.Create(Path.Combine(folder, "curves.csv"));
        await using var writer = CurvesCommand.Create(CurveFormat.Csv, stream, keys, numeric);
        await query.WriteAsync(study.StudyId, selected, writer, cancellation);
    }

    /// <summary>Each trial's newest whole state as a file; the steps they were taken at, by trial.</summary>
    private static async Task<Dictionary<string, long>> WriteStatesAsync(StoreOptions store, string studyId, string folder, CancellationToken cancellation)
    {
        Directory.CreateDirectory(folder);
        var steps = new Dictionary<string, long>();
        await foreach (var state in StoredStates.NewestAsync(store, studyId, cancellation))
        {
            if (Path.GetFileName(state.TrialId) != state.TrialId || state.TrialId.StartsWith('.'))
            {
                throw new InvalidDataException($"the store holds a training state under the trial id '{state.TrialId}', which is not a file name; nothing exported");
            }
            await File.WriteAllBytesAsync(Path.Combine(folder, state.TrialId + ".safetensors"), state.Safetensors, cancellation);
            steps[state.TrialId] = state.Step;
        }
        return steps;
    }
}
