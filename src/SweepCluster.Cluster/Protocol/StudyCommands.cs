namespace SweepCluster.Cluster.Protocol;

/// <summary>Creates the study, or adds the trials it does not have yet, and (re)starts scheduling.</summary>
public sealed record StartStudy(string StudyId, string? Description, int MaxRetries, IReadOnlyList<TrialDefinition> Trials) : IStudyMessage;

public sealed record StudyStarted(string StudyId, int TrialsAdded, int TrialsKnown) : IProtocolMessage;

public sealed record StudyRejected(string StudyId, string Reason) : IProtocolMessage;

/// <summary>Stops scheduling; running trials save their state and go back to pending.</summary>
public sealed record InterruptStudy(string StudyId) : IStudyMessage;

/// <summary>Continues an interrupted study (or wakes a study after a restart).</summary>
public sealed record ResumeStudy(string StudyId) : IStudyMessage;

public sealed record GetStudyStatus(string StudyId) : IStudyMessage;

/// <summary>The coordinator's answer when asked about a study that was never created.</summary>
public sealed record UnknownStudy(string StudyId) : IProtocolMessage;
