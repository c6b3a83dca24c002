using SweepCluster.Protocol.Scheduling;

namespace SweepCluster.Protocol;

/// <summary>
/// Creates the study, or adds the trials it does not have yet, and (re)starts scheduling. The trials come
/// inline when they fit one message; a larger study sends them first as <see cref="StageTrials"/> pages
/// under a <see cref="SubmissionId"/>, and this command then names how many pages it staged: the
/// coordinator adds them all in one write, or none. <see cref="Scheduler"/> is the study's early-stopping
/// rule (null: FIFO); a study keeps the one it was created with.
/// </summary>
public sealed record StartStudy(
    string StudyId, string? Description, int MaxRetries, IReadOnlyList<TrialDefinition> Trials, string? SubmissionId = null, int StagedPages = 0,
    SchedulerSettings? Scheduler = null) : IStudyMessage;

/// <summary>One page of a large submission's trials, held by the coordinator until <see cref="StartStudy"/> names it.</summary>
public sealed record StageTrials(string StudyId, string SubmissionId, int Page, IReadOnlyList<TrialDefinition> Trials) : IStudyMessage;

public sealed record TrialsStaged(string StudyId, string SubmissionId, int Page) : IProtocolMessage;

public sealed record StudyStarted(string StudyId, int TrialsAdded, int TrialsKnown) : IProtocolMessage;

public sealed record StudyRejected(string StudyId, string Reason) : IProtocolMessage;

/// <summary>Stops scheduling; running trials save their state and go back to pending. Answered with <see cref="Study.StudyProgress"/>.</summary>
public sealed record InterruptStudy(string StudyId) : IStudyMessage;

/// <summary>Continues an interrupted study (or wakes a study after a restart). Answered with <see cref="Study.StudyProgress"/>.</summary>
public sealed record ResumeStudy(string StudyId) : IStudyMessage;

/// <summary>
/// The study with each of its trials: grows with the study, so only for callers in the coordinator's own
/// process (tests, benchmarks). Remote callers ask for <see cref="GetStudyProgress"/>.
/// </summary>
public sealed record GetStudyStatus(string StudyId) : IStudyMessage;

/// <summary>The study's counts, per-algorithm summary and a few failures: its size does not depend on the study's.</summary>
public sealed record GetStudyProgress(string StudyId) : IStudyMessage;

/// <summary>The coordinator's answer when asked about a study that was never created.</summary>
public sealed record UnknownStudy(string StudyId) : IProtocolMessage;
