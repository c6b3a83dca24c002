using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Storage;
using SweepCluster.Query;
using SweepCluster.Query.Maintenance;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// Removes a study from its store for good: journal, training states and query rows together, once its
/// name is typed back (or --yes where nobody can type). It needs the store alone, so a study cannot vanish
/// from under a node or run that is using it.
/// </summary>
public sealed class StudiesDeleteCommand : AsyncCommand<StudiesDeleteCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<STUDY>")]
        [Description("The study to delete (`sweepcluster studies` lists them).")]
        public string Study { get; init; } = "";

        [CommandOption("--yes")]
        [Description("Delete without asking for the study's name: for scripts, where there is no terminal to type it on.")]
        public bool Yes { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = settings.ResolveStore();
        var readable = await QueryStore.ReadyAsync(store, cancellationToken)
            ?? throw new QueryException($"{store.Display}: no studies in this store, so no study '{settings.Study}'");
        var reader = new ReadModelReader(readable);
        if (!ReferenceEquals(readable, store))
        {
            throw new StoreUnavailableException($"cannot delete from {store.Display}: it cannot be written", new UnauthorizedAccessException("read-only store"));
        }
        var rows = await reader.StudiesAsync(settings.Study, cancellationToken);
        if (rows.Count == 0)
        {
            throw new QueryException(UnknownStudy.Message(settings.Study, (await reader.StudiesAsync(null, cancellationToken)).Select(r => r.StudyId).ToList()));
        }
        var trials = (await reader.TrialsAsync(settings.Study, cancellationToken)).Count;
        var what = string.Create(CultureInfo.InvariantCulture, $"study {settings.Study} from {store.Display}: {Counted.Of(trials, "trial")}, their checkpoints and training states, and its journal");

        if (!settings.Yes && !Confirmed(settings.Study, what))
        {
            return ExitCodes.Failure;
        }
        await using (await StoreLock.AcquireAloneAsync(store, "deleting a study", cancellationToken))
        {
            var deleted = await StudyDeletion.DeleteAsync(store, settings.Study, cancellationToken);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Deleted study {settings.Study}: {Counted.Of(deleted.JournalEvents, "journal event")}, {Counted.Of(deleted.Trials, "trial")}, {Counted.Of(deleted.Checkpoints, "checkpoint")}, {Counted.Of(deleted.StateChunks, "training-state chunk")}"));
        }
        return ExitCodes.Success;
    }

    private static bool Confirmed(string study, string what)
    {
        if (Console.IsInputRedirected)
        {
            throw new QueryException($"studies delete {study}: nothing deleted; there is no terminal to confirm on, so give --yes to delete {what}");
        }
        Console.Error.Write($"This deletes {what}, for good. Type the study's name to confirm: ");
        if (Console.ReadLine()?.Trim() == study)
        {
            return true;
        }
        Console.Error.WriteLine("Not deleted: the name did not match.");
        return false;
    }
}
