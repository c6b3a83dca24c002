using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Persistence;
using SweepCluster.Cluster.Protocol;
using SweepCluster.Cluster.Storage;

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
    private const int SnapshotEvery = 1000;
    private static readonly TimeSpan AnnounceInterval = TimeSpan.FromSeconds(1);

    private readonly TrainingStateStore _states;
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

    public StudyCoordinator(string studyId, TrainingStateStore states)
    {
        _states = states;
        _state = StudyState.Empty(studyId);
        _decided = _state;
        PersistenceId = $"study-{studyId}";

        Recover<SnapshotOffer>(offer => _state = (StudyState)offer.Snapshot);
        Recover<IStudyEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<StartStudy>(Start);
        Command<RequestWork>(Assign);
        // A worker's message for a study this coordinator does not know is never acknowledged: the study
        // exists (the trial was assigned), so this incarnation has not got its journal; the worker tries again.
        Command<CheckpointBatch>(batch =>
        {
            if (!_decided.Exists || _decided.BatchIsAhead(batch))
            {
                return;
            }
            var replyTo = Sender;
            PersistThen(_decided.Record(batch), () => replyTo.Tell(new BatchAck(batch.StudyId, batch.TrialId, batch.Attempt, batch.Sequence)));
        });
        Command<TrialStateReport>(StoreState);
        Command<StateStored>(stored =>
            PersistThen(_decided.SaveState(stored.Report), () =>
            {
                stored.ReplyTo.Tell(new StateAck(stored.Report.StudyId, stored.Report.TrialId, stored.Report.Attempt, stored.Report.Step));
                _states.DeleteOlderAsync(stored.Report.StudyId, stored.Report.TrialId, _state.Trials[stored.Report.TrialId].StateStep ?? 0)
                    .PipeTo(Self, success: () => StatesPruned.Instance, failure: _ => StatesPruned.Instance);
            }));
        Command<StatesPruned>(_ => { });
        Command<StateStoreFailed>(failed => _log.Warning("Storing the state of trial {0} failed: {1}; the worker will send it again", failed.Report.TrialId, failed.Reason));
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
                replyTo.Tell(StudyStatus.From(_state));
            });
        });
        Command<ResumeStudy>(_ =>
        {
            var replyTo = Sender;
            PersistThen(_decided.Resume(Now), () =>
            {
                Announce();
                replyTo.Tell(_state.Exists ? StudyStatus.From(_state) : new UnknownStudy(_state.StudyId));
            });
        });
        Command<GetStudyStatus>(_ => Sender.Tell(_state.Exists ? StudyStatus.From(_state) : new UnknownStudy(_state.StudyId)));
        Command<ClusterEvent.UnreachableMember>(_ => ReleaseLost("worker node unreachable"));
        Command<ClusterEvent.MemberRemoved>(_ => ReleaseLost("worker node left"));
        Command<ClusterEvent.IMemberEvent>(_ => { });
        Command<ClusterEvent.CurrentClusterState>(_ => { });
        Command<AnnounceTick>(_ => Announce());
        Command<ReleaseOrphans>(_ => ReleaseLost("its worker is not in the cluster after the coordinator restarted"));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning("Snapshot of study {0} failed: {1}", _state.StudyId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private sealed record AnnounceTick;

    private sealed record StateStored(TrialStateReport Report, IActorRef ReplyTo);

    private sealed record StatesPruned
    {
        public static readonly StatesPruned Instance = new();
    }

    private sealed record StateStoreFailed(TrialStateReport Report, string Reason);

    protected override void PreStart()
    {
        base.PreStart();
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("announce", new AnnounceTick(), AnnounceInterval);
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
    }

    private sealed record ReleaseOrphans;

    private void Start(StartStudy command)
    {
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
            replyTo.Tell(new StudyStarted(command.StudyId, _state.Trials.Count - known, _state.Trials.Count));
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
        var worker = Sender;
        PersistThen(events, () =>
        {
            var assignments = events.Cast<TrialAssigned>().Select(async a =>
            {
                var trial = _state.Trials[a.TrialId];
                var state = a.FromStep is { } step ? await _states.LoadAsync(_state.StudyId, a.TrialId, step) : null;
                return new AssignTrial(_state.StudyId, a.TrialId, trial.SpecJson, a.Attempt, state);
            });
            Task.WhenAll(assignments).PipeTo(worker, success: list => new TrialsAssigned(_state.StudyId, list), failure: e => new NoWork(_state.StudyId));
        });
    }

    private void StoreState(TrialStateReport report)
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
        _states.SaveAsync(report.StudyId, report.TrialId, report.Attempt, report.Step, report.State)
            .PipeTo(Self, success: () => new StateStored(report, replyTo), failure: e => new StateStoreFailed(report, e.Message));
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

    private void TellWorkers(object message)
    {
        foreach (var member in _cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterRoles.Worker)))
        {
            Context.ActorSelection(new RootActorPath(member.Address) / "user" / "worker").Tell(message, Self);
        }
    }

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
            if (++applied == events.Count)
            {
                _writing = false;
                batch.ForEach(b => b.After());
                MaybeSnapshot(events.Count);
                WriteQueued();
            }
        });
    }

    /// <summary>An event the journal refused (it could not be serialized): the decided state no longer matches the stored one, so start again from the journal.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }

    private void MaybeSnapshot(int written)
    {
        _eventsSinceSnapshot += written;
        if (_eventsSinceSnapshot >= SnapshotEvery)
        {
            _eventsSinceSnapshot = 0;
            SaveSnapshot(_state);
        }
    }
}
