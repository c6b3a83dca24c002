using System.Collections.Frozen;
using SweepCluster.Protocol.Study;

namespace SweepCluster.Protocol;

/// <summary>
/// The name each message, event and snapshot is stored and sent under. These strings are part of every
/// journal ever written: a type may be renamed or moved, its manifest never changes. The second name is
/// the one a type was first stored under (its CLR name at the time), still read from older journals.
/// </summary>
public static class ProtocolManifests
{
    private static readonly (Type Type, string Manifest, string Legacy)[] Table =
    [
        // Events: the journal's rows.
        (typeof(StudyCreated), "study-created.v1", "StudyCreated"),
        (typeof(TrialsAdded), "trials-added.v1", "TrialsAdded"),
        (typeof(TrialAssigned), "trial-assigned.v1", "TrialAssigned"),
        (typeof(CheckpointsRecorded), "checkpoints-recorded.v1", "CheckpointsRecorded"),
        (typeof(TrialStateSaved), "trial-state-saved.v1", "TrialStateSaved"),
        (typeof(TrialCompleted), "trial-completed.v1", "TrialCompleted"),
        (typeof(TrialFailed), "trial-failed.v1", "TrialFailed"),
        (typeof(TrialReleased), "trial-released.v1", "TrialReleased"),
        (typeof(RungJudged), "rung-judged.v1", "RungJudged"),
        (typeof(TrialHeld), "trial-held.v1", "TrialHeld"),
        (typeof(TrialPruned), "trial-pruned.v1", "TrialPruned"),
        (typeof(StudyInterrupted), "study-interrupted.v1", "StudyInterrupted"),
        (typeof(StudyResumed), "study-resumed.v1", "StudyResumed"),
        (typeof(StudyFinished), "study-finished.v1", "StudyFinished"),

        // The coordinator's snapshot.
        (typeof(StudyState), "study-state.v1", "StudyState"),

        // Commands and answers.
        (typeof(StartStudy), "start-study", "StartStudy"),
        (typeof(StageTrials), "stage-trials", "StageTrials"),
        (typeof(TrialsStaged), "trials-staged", "TrialsStaged"),
        (typeof(StudyStarted), "study-started", "StudyStarted"),
        (typeof(StudyRejected), "study-rejected", "StudyRejected"),
        (typeof(InterruptStudy), "interrupt-study", "InterruptStudy"),
        (typeof(ResumeStudy), "resume-study", "ResumeStudy"),
        (typeof(GetStudyStatus), "get-study-status", "GetStudyStatus"),
        (typeof(GetStudyProgress), "get-study-progress", "GetStudyProgress"),
        (typeof(UnknownStudy), "unknown-study", "UnknownStudy"),
        (typeof(StudyStatus), "study-status", "StudyStatus"),
        (typeof(StudyProgress), "study-progress", "StudyProgress"),

        // Coordinator and workers.
        (typeof(WorkAvailable), "work-available", "WorkAvailable"),
        (typeof(RequestWork), "request-work", "RequestWork"),
        (typeof(TrialsAssigned), "trials-assigned", "TrialsAssigned"),
        (typeof(AssignTrial), "assign-trial", "AssignTrial"),
        (typeof(NoWork), "no-work", "NoWork"),
        (typeof(StopTrials), "stop-trials", "StopTrials"),
        (typeof(StopAttempt), "stop-attempt", "StopAttempt"),
        (typeof(PauseAttempt), "pause-attempt", "PauseAttempt"),
        (typeof(ConfirmAttempts), "confirm-attempts", "ConfirmAttempts"),
        (typeof(CheckpointBatch), "checkpoint-batch", "CheckpointBatch"),
        (typeof(BatchAck), "batch-ack", "BatchAck"),
        (typeof(TrialFinished), "trial-finished", "TrialFinished"),
        (typeof(TrialCrashed), "trial-crashed", "TrialCrashed"),
        (typeof(FinishAck), "finish-ack", "FinishAck"),

        // Training states in chunks.
        (typeof(StateChunk), "state-chunk", "StateChunk"),
        (typeof(StateChunkAck), "state-chunk-ack", "StateChunkAck"),
        (typeof(StateComplete), "state-complete", "StateComplete"),
        (typeof(StateAck), "state-ack", "StateAck"),
        (typeof(FetchStateChunk), "fetch-state-chunk", "FetchStateChunk"),
        (typeof(StoredStateChunk), "stored-state-chunk", "StoredStateChunk"),
        (typeof(StateUnavailable), "state-unavailable", "StateUnavailable"),
    ];

    private static readonly FrozenDictionary<Type, string> ByType = Table.ToFrozenDictionary(r => r.Type, r => r.Manifest);

    private static readonly FrozenDictionary<string, Type> ByManifest =
        Table.Select(r => (r.Manifest, r.Type)).Concat(Table.Select(r => (Manifest: r.Legacy, r.Type))).ToFrozenDictionary(r => r.Manifest, r => r.Type, StringComparer.Ordinal);

    public static IEnumerable<Type> Types => ByType.Keys;

    public static string Of(Type type) =>
        ByType.TryGetValue(type, out var manifest) ? manifest : throw new ArgumentException($"{type.Name} has no manifest in {nameof(ProtocolManifests)}", nameof(type));

    public static bool TryGetType(string manifest, out Type type) => ByManifest.TryGetValue(manifest, out type!);
}
