using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Persistence;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Storage;

using SweepCluster.Protocol.Study;

namespace SweepCluster.Cluster.Study;

/// <summary>
/// One study's coordinator: a persistent actor placed by Cluster.Sharding on a coordinator node. It
/// persists what <see cref="StudyState"/>'s decisions return and replies once the events are written, so
/// an acknowledgement always means "stored". Workers pull trials from it; it announces pending work to
/// every worker node and releases the trials of worker nodes that become unreachable.
/// </summary>
public sealed class StudyCoordinator : ReceivePersistentActor, IWithTimers
{
    public const string WorkerPath = "/user/worker";
    private const int MinSnapshotEvery = 1000;
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan NoWorkerWarningEvery = TimeSpan.FromMinutes(1);

    private readonly ITrainingStateStore _states;
    private readonly CoordinatorSettings _settings;
    private readonly LeaseTable _leases;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    // What is stored: replies and status read it.
    private StudyState _state;
    // What is stored plus what is decided and waiting to be written: decisions are made against it, so two
    // commands in one write see each other (a batch sent twice is kept once, a trial is assigned once).
    private StudyState _decided;
    private List<(IReadOnlyList<IStudyEvent> Events, Action After)> _queued = [];
    private bool _writing;
    private long _eventsSinceSnapshot;
    private readonly Dictionary<string, StagedSubmission> _staged = [];
    private DateTime _lastNoWorkerWarning = DateTime.MinValue;

    public StudyCoordinator(string studyId, ITrainingStateStore states, CoordinatorSettings? settings = null)
    {
        _states = states;
        _settings = settings ?? CoordinatorSettings.Default;
        _leases = new LeaseTable(_settings.LeaseTimeout);
        _state = StudyState.Empty(studyId);
        _decided = _state;
        PersistenceId = $"study-{studyId}";

        Recover<SnapshotOffer>(offer => _state = (StudyState)offer.Snapshot);
        Recover<IStudyEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<StageTrials>(Stage);
        Command<StartStudy>(Start);
        Command<RequestWork>(Assign);
        Command<ConfirmAttempts>(Confirm);
        // A worker's message for a study this coordinator does not know is never acknowledged: the study
        // exists (the trial was assigned), so this incarnation has not got its journal; the worker tries again.
        Command<CheckpointBatch>(batch =>
        {
            if (!_decided.Exists || _decided.BatchIsAhead(batch))
            {
                return;
            }
            var replyTo = Sender;
            PersistThen(_decided.Record(batch, Now), () => replyTo.Tell(new BatchAck(batch.StudyId, batch.TrialId, batch.Attempt, batch.Sequence)));
        });
        Command<StateChunk>(StoreChunk);
        Command<ChunkStored>(stored => stored.ReplyTo.Tell(stored.Ack));
        Command<StateComplete>(CompleteState);
        Command<StateMeasured>(RecordState);
        Command<FetchStateChunk>(SendChunk);
        Command<StatesPruned>(_ => { });
        Command<StateStoreFailed>(failed => _log.Warning("Storing a state of trial {0} failed: {1}; the worker will send it again", failed.TrialId, failed.Reason));
        Command<TrialFinished>(finished =>
        {
            if (!_decided.Exists)
            {
                return;
            }
            var replyTo = Sender;
            PersistThen(_decided.Finish(finished, Now), () =>
            {
                replyTo.Tell(new FinishAck(finished.StudyId, finished.TrialId, finished.Attempt));
                Announce();
            });
        });
        Command<TrialCrashed>(crashed =>
        {
            if (!_decided.Exists)
            {
                return;
            }
            var replyTo = Sender;
            PersistThen(_decided.Crash(crashed, Now), () =>
            {
                _log.Warning("Trial {0} attempt {1} failed: {2}", crashed.TrialId, crashed.Attempt, crashed.Reason);
                replyTo.Tell(new FinishAck(crashed.StudyId, crashed.TrialId, crashed.Attempt));
                Announce();
            });
        });
        Command<InterruptStudy>(_ =>
        {
            var replyTo = Sender;
            PersistThen(_decided.Interrupt(Now), () =>
            {
                TellWorkers(new StopTrials(_state.StudyId));
                replyTo.Tell(_state.Exists ? Progress() : new UnknownStudy(_state.StudyId));
            });
        });
        Command<ResumeStudy>(_ =>
        {
            var replyTo = Sender;
            PersistThen(_decided.Resume(Now), () =>
            {
                Announce();
                replyTo.Tell(_state.Exists ? Progress() : new UnknownStudy(_state.StudyId));
            });
        });
        Command<GetStudyStatus>(_ => Sender.Tell(_state.Exists ? StudyStatus.From(_state) : new UnknownStudy(_state.StudyId)));
        Command<GetStudyProgress>(_ => Sender.Tell(_state.Exists ? Progress() : new UnknownStudy(_state.StudyId)));
        Command<ClusterEvent.UnreachableMember>(_ => ReleaseLost("worker node unreachable"));
        Command<ClusterEvent.MemberRemoved>(_ => ReleaseLost("worker node left"));
        Command<ClusterEvent.IMemberEvent>(_ => { });
        Command<ClusterEvent.CurrentClusterState>(_ => { });
        Command<Tick>(_ => OnTick());
        Command<ReleaseOrphans>(_ => ReleaseLost("its worker is not in the cluster after the coordinator restarted"));
        Command<ReceiveTimeout>(_ => PassivateIfIdle());
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("Snapshot of study {0} failed: {1}", _state.StudyId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>The coordinator's clock tick: announce pending work, expire leases, warn when no worker is there. Does not keep a finished study awake.</summary>
    private sealed record Tick : INotInfluenceReceiveTimeout;

    private sealed record ReleaseOrphans;

    private sealed record ChunkStored(StateChunkAck Ack, IActorRef ReplyTo);

    private sealed record StateMeasured(StateComplete Report, int Count, long Length, IActorRef ReplyTo);

    private sealed record StatesPruned
    {
        public static readonly StatesPruned Instance = new();
    }

    private sealed record StateStoreFailed(string TrialId, string Reason);

    /// <summary>Pages of a large submission, kept in memory until its StartStudy arrives.</summary>
    private sealed record StagedSubmission(DateTime LastPageAt, ImmutableSortedDictionary<int, IReadOnlyList<TrialDefinition>> Pages);

    protected override void PreStart()
    {
        base.PreStart();
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("tick", new Tick(), TickInterval);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        base.PostStop();
    }

    /// <summary>After a restart, trials that were running on nodes no longer in the cluster go back to pending.</summary>
    private void OnRecovered()
    {
        _decided = _state;
        if (_state.Exists)
        {
            Self.Tell(new ReleaseOrphans());
        }
        KeepAwakeWhileUnfinished();
    }

    private StudyProgress Progress() => StudyProgress.From(_state, Workers().Count(), t => _leases.IsTraining(t.TrialId, t.Attempt));

    private void Stage(StageTrials page)
    {
        var staged = _staged.TryGetValue(page.SubmissionId, out var s) ? s.Pages : ImmutableSortedDictionary<int, IReadOnlyList<TrialDefinition>>.Empty;
        _staged[page.SubmissionId] = new StagedSubmission(DateTime.UtcNow, staged.SetItem(page.Page, page.Trials));
        Sender.Tell(new TrialsStaged(page.StudyId, page.SubmissionId, page.Page));
    }

    private void Start(StartStudy command)
    {
        if (command.SubmissionId is { } submission)
        {
            var pages = _staged.TryGetValue(submission, out var s) ? s.Pages : ImmutableSortedDictionary<int, IReadOnlyList<TrialDefinition>>.Empty;
            var arrived = Enumerable.Range(0, command.StagedPages).Count(pages.ContainsKey);
            if (arrived < command.StagedPages)
            {
                Sender.Tell(new StudyRejected(command.StudyId, $"{arrived} of the submission's {command.StagedPages} pages of trials reached the coordinator; submit again"));
                return;
            }
            _staged.Remove(submission);
            command = command with { Trials = [.. command.Trials, .. Enumerable.Range(0, command.StagedPages).SelectMany(p => pages[p])] };
        }
        var (events, rejection) = _decided.Start(command, Now);
        if (rejection is not null)
        {
            Sender.Tell(new StudyRejected(command.StudyId, rejection));
            return;
        }
        var known = _decided.Trials.Count;
        var replyTo = Sender;
        PersistThen(events, () =>
        {
            var added = _state.Trials.Count - known;
            _log.Info("Study {0} submitted: {1} new trials, {2} in all, {3} pending; {4} worker nodes up", command.StudyId, added, _state.Trials.Count, _state.Pending.Count, Workers().Count());
            replyTo.Tell(new StudyStarted(command.StudyId, added, _state.Trials.Count));
            KeepAwakeWhileUnfinished();
            Announce();
        });
    }

    private void Assign(RequestWork request)
    {
        var events = _decided.Assign(request, Now);
        if (events.Count == 0)
        {
            Sender.Tell(new NoWork(request.StudyId));
            return;
        }
        var now = LeaseClock;
        // Trials that can be continued under no rule come back failed instead (see TrialRecord.Unresumable).
        var assignments = events.OfType<TrialAssigned>().ToList();
        foreach (var assigned in assignments)
        {
            _leases.Renew(assigned.TrialId, assigned.Attempt, now);
        }
        var worker = Sender;
        PersistThen(events, () => worker.Tell(assignments.Count == 0
            ? new NoWork(request.StudyId)
            : new TrialsAssigned(
                _state.StudyId,
                assignments.Select(a => new AssignTrial(_state.StudyId, a.TrialId, _state.Trials[a.TrialId].RunnableSpecJson, a.Attempt, a.FromStep, _state.PauseAt(a.TrialId))).ToList())));
    }

    /// <summary>A worker's lease renewal: its current attempts are renewed, the others told to stop.</summary>
    private void Confirm(ConfirmAttempts confirm)
    {
        if (!_decided.Exists)
        {
            return;
        }
        var now = LeaseClock;
        foreach (var attempt in confirm.Attempts)
        {
            if (_decided.IsRunningAttempt(attempt.TrialId, attempt.Attempt))
            {
                _leases.Renew(attempt.TrialId, attempt.Attempt, now, attempt.Training);
            }
            else
            {
                Sender.Tell(new StopAttempt(confirm.StudyId, attempt.TrialId, attempt.Attempt));
            }
        }
    }

    private void StoreChunk(StateChunk chunk)
    {
        if (!_decided.Exists)
        {
            return;
        }
        var ack = new StateChunkAck(chunk.StudyId, chunk.TrialId, chunk.Attempt, chunk.Step, chunk.Index);
        if (!_decided.WantsState(chunk.TrialId, chunk.Attempt, chunk.Step))
        {
            // Not kept (a stale attempt, an older state): acknowledged so the worker moves on.
            Sender.Tell(ack);
            return;
        }
        var replyTo = Sender;
        _states.SaveChunkAsync(chunk.StudyId, chunk.TrialId, chunk.Attempt, chunk.Step, chunk.Index, chunk.Bytes)
            .PipeTo(Self, success: () => new ChunkStored(ack, replyTo), failure: e => new StateStoreFailed(chunk.TrialId, e.Message));
    }

    private void CompleteState(StateComplete report)
    {
        if (!_decided.Exists || _decided.StateIsAhead(report))
        {
            // Its checkpoints are not all stored yet: no acknowledgement, so the worker sends it again.
            return;
        }
        var replyTo = Sender;
        if (_decided.SaveState(report).Count == 0)
        {
            PersistThen([], () => replyTo.Tell(new StateAck(report.StudyId, report.TrialId, report.Attempt, report.Step)));
            return;
        }
        _states.MeasureAsync(report.StudyId, report.TrialId, report.Attempt, report.Step)
            .PipeTo(Self, success: m => new StateMeasured(report, m.Count, m.Length, replyTo), failure: e => new StateStoreFailed(report.TrialId, e.Message));
    }

    private void RecordState(StateMeasured measured)
    {
        var report = measured.Report;
        if (measured.Count != report.Count || measured.Length != report.Length)
        {
            // Some chunk was overwritten or lost: the worker sends them all again.
            _log.Warning("State of trial {0} at step {1}: {2} chunks ({3} bytes) stored, {4} ({5} bytes) sent; asking for it again",
                report.TrialId, report.Step, measured.Count, measured.Length, report.Count, report.Length);
            measured.ReplyTo.Tell(new StateUnavailable(report.StudyId, report.TrialId, report.Attempt, report.Step, Missing: true, "incomplete"));
            return;
        }
        PersistThen(_decided.SaveState(report), () =>
        {
            measured.ReplyTo.Tell(new StateAck(report.StudyId, report.TrialId, report.Attempt, report.Step));
            _states.DeleteOthersAsync(report.StudyId, report.TrialId, _state.Trials[report.TrialId].StateStep ?? report.Step)
                .PipeTo(Self, success: () => StatesPruned.Instance, failure: _ => StatesPruned.Instance);
        });
    }

    private void SendChunk(FetchStateChunk fetch)
    {
        var (study, trial, attempt, step, index) = (fetch.StudyId, fetch.TrialId, fetch.Attempt, fetch.Step, fetch.Index);
        _states.LoadChunkAsync(study, trial, step, index).PipeTo(
            Sender,
            success: chunk => chunk is { } c
                ? new StoredStateChunk(study, trial, attempt, step, index, c.Count, c.Bytes)
                : new StateUnavailable(study, trial, attempt, step, Missing: true, $"no state of trial {trial} is stored at step {step}"),
            failure: e => new StateUnavailable(study, trial, attempt, step, Missing: false, e.Message));
    }

    private void OnTick()
    {
        Announce();
        var expired = _leases.Expired(_decided.Running, LeaseClock);
        if (expired.Count > 0)
        {
            _log.Warning("Study {0}: {1} assignments were not confirmed by their worker for {2} s; back to pending", _state.StudyId, expired.Count, _leases.Timeout.TotalSeconds);
            PersistThen(_decided.ExpireLeases(expired, $"lease expired: not confirmed for {_leases.Timeout.TotalSeconds:F0} s", Now), Announce);
        }
        foreach (var (submission, staged) in _staged.Where(s => DateTime.UtcNow - s.Value.LastPageAt > _settings.StagingTimeout).ToList())
        {
            _log.Warning("Study {0}: dropping {1} staged pages of submission {2} that was never started", _state.StudyId, staged.Pages.Count, submission);
            _staged.Remove(submission);
        }
        if (_state.Phase == StudyPhase.Running && !_state.Pending.IsEmpty && !Workers().Any() && DateTime.UtcNow - _lastNoWorkerWarning > NoWorkerWarningEvery)
        {
            _lastNoWorkerWarning = DateTime.UtcNow;
            _log.Warning("Study {0} has {1} pending trials and no worker node has joined the cluster: start one with `sweepcluster node --role worker --seed ...`", _state.StudyId, _state.Pending.Count);
        }
    }

    /// <summary>A finished study's coordinator lets itself be stopped when idle; an unfinished one stays.</summary>
    private void KeepAwakeWhileUnfinished() =>
        Context.SetReceiveTimeout(_state.Phase == StudyPhase.Finished ? _settings.PassivateFinishedAfter : null);

    private void PassivateIfIdle()
    {
        if (_state.Phase == StudyPhase.Finished && !_writing && _queued.Count == 0 && _staged.Count == 0)
        {
            _log.Info("Study {0} is finished and idle; its coordinator stops until the next message", _state.StudyId);
            Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PoisonPill.Instance));
        }
    }

    private void ReleaseLost(string reason)
    {
        var alive = _cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && !_cluster.State.Unreachable.Contains(m))
            .Select(m => m.UniqueAddress.ToString())
            .ToHashSet();
        PersistThen(_decided.ReleaseLost(alive.Contains, reason, Now), Announce);
    }

    private void Announce()
    {
        if (_state.Phase == StudyPhase.Running && !_state.Pending.IsEmpty)
        {
            TellWorkers(new WorkAvailable(_state.StudyId));
        }
    }

    private IEnumerable<Member> Workers() =>
        _cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterRoles.Worker));

    private void TellWorkers(object message)
    {
        foreach (var member in Workers())
        {
            Context.ActorSelection(new RootActorPath(member.Address) / "user" / "worker").Tell(message, Self);
        }
    }

    /// <summary>The scheduler's clock, which a test scheduler moves by hand.</summary>
    private static DateTimeOffset LeaseClock => Context.System.Scheduler.Now;

    /// <summary>
    /// Decides now, writes soon, and runs <paramref name="after"/> (the reply) once the events are written:
    /// an acknowledgement always means stored. One write is in flight at a time; what is decided meanwhile
    /// waits and goes out as the next write, all of it in one atomic write (group commit). So a busy study
    /// needs a write per round trip, not per command, and the journal is always a prefix of the decisions:
    /// when a write fails, Akka.Persistence stops the actor before anything decided after it is written, and
    /// the next message recovers it from the journal. (Writes issued without waiting, measured earlier, could
    /// land after a failed one and leave a gap that the duplicate check hid.) A reply with nothing to write
    /// (a batch already kept) still waits for the writes before it.
    /// </summary>
    private void PersistThen(IReadOnlyList<IStudyEvent> events, Action after)
    {
        foreach (var e in events)
        {
            _decided = _decided.Apply(e);
        }
        _queued.Add((events, after));
        if (!_writing)
        {
            WriteQueued();
        }
    }

    private void WriteQueued()
    {
        var batch = _queued;
        _queued = [];
        var events = batch.SelectMany(b => b.Events).ToList();
        if (events.Count == 0)
        {
            batch.ForEach(b => b.After());
            return;
        }
        _writing = true;
        var applied = 0;
        PersistAllAsync(events, e =>
        {
            _state = _state.Apply(e);
            switch (e)
            {
                case TrialPruned { Attempt: > 0 } pruned:
                    // The scheduler stopped a running trial: its worker drops the attempt (what it stored stays).
                    TellWorkers(new StopAttempt(_state.StudyId, pruned.TrialId, pruned.Attempt));
                    break;
                case TrialHeld held:
                    // The trial waits at a rung: its worker saves its state and hands it back.
                    TellWorkers(new PauseAttempt(_state.StudyId, held.TrialId, held.Attempt));
                    break;
            }
            if (++applied == events.Count)
            {
                _writing = false;
                batch.ForEach(b => b.After());
                KeepAwakeWhileUnfinished();
                MaybeSnapshot(events.Count);
                WriteQueued();
            }
        });
    }

    /// <summary>An event the journal refused (it could not be serialized): the decided state no longer matches the stored one, so start again from the journal.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.System.EventStream.Publish(new StoreWriteFailed(PersistenceId, cause));
        Context.Stop(Self);
    }

    /// <summary>The journal could not write (the store is down, full or read-only): this coordinator stops, and says so to whoever watches the store.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.System.EventStream.Publish(new StoreWriteFailed(PersistenceId, cause));
        // A full or read-only store is stated in one line; anything else keeps its stack trace for the log file.
        _log.Error(StoreProblems.IsPermanent(cause) ? null : cause, "Could not write {0} #{1} of {2} to the journal: {3}; the coordinator stops and recovers from the journal when next asked",
            @event.GetType().Name, sequenceNr, PersistenceId, StoreProblems.Describe(cause));
        Context.Stop(Self);
    }

    private void MaybeSnapshot(int written)
    {
        _eventsSinceSnapshot += written;
        // A snapshot costs as much as the study is large: taken no more often than every trial's worth of
        // events, its cost per event stays the same for a study of 20,000 trials as for one of 20.
        if (_eventsSinceSnapshot >= Math.Max(MinSnapshotEvery, 2L * _state.Trials.Count))
        {
            _eventsSinceSnapshot = 0;
            SaveSnapshot(_state);
        }
    }
}
