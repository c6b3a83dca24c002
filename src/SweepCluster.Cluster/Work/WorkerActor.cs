using Akka.Actor;
using Akka.Event;
using SweepCluster.Protocol;

namespace SweepCluster.Cluster.Work;

/// <summary>
/// A worker node's actor (at /user/worker). It trains at most <c>slots</c> trials at once, each in its own
/// <see cref="TrialActor"/>, on one training thread per slot that the worker keeps for its life. It pulls
/// work: when a coordinator announces pending trials it asks for what it can take, with one request in flight
/// per study. It holds up to <c>slots</c> more trials in a local queue, so that a freed slot starts the next
/// trial at once instead of waiting for a round trip to the coordinator; a slot is free when training ends,
/// while its trial actor may still be waiting for the last acknowledgements.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor's life ends in PostStop, which releases the training threads.")]
public sealed class WorkerActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    /// <summary>How often the worker confirms the attempts it holds (its leases); well inside the coordinator's lease timeout.</summary>
    public static readonly TimeSpan ConfirmInterval = TimeSpan.FromSeconds(4);

    private readonly WorkerOptions _options;
    private readonly Func<AssignTrial, TrainingThreads, Props> _trialProps;
    private readonly IActorRef _studies;
    private readonly TrainingThreads _threads;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, AssignTrial> _running = [];
    // Children that threw and are being stopped: their trials are reported as crashed once they are gone.
    private readonly Dictionary<IActorRef, string> _failed = [];
    private readonly HashSet<IActorRef> _training = [];
    private readonly Queue<IActorRef> _queued = new();
    private readonly Dictionary<IActorRef, DateTime> _startedAt = [];
    private double _meanTrainingSeconds = double.PositiveInfinity;
    // Slots promised to a request in flight, per study. A request whose coordinator died unanswered would
    // hold them for good (and stop this worker asking that study again), so a promise expires.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, (int Slots, DateTime At)> _reservedByStudy = [];
    private readonly Dictionary<string, IActorRef> _announcers = [];

    // Studies told to stop and not announced since: an assignment for them that was already on its way
    // is handed back at once instead of trained.
    private readonly HashSet<string> _stopped = [];

    public WorkerActor(WorkerOptions options, IActorRef studies)
        : this(options, studies, null)
    {
    }

    /// <param name="trialProps">Makes a trial's actor (a <see cref="TrialActor"/> when null); tests put a faulty one in its place.</param>
    public WorkerActor(WorkerOptions options, IActorRef studies, Func<AssignTrial, TrainingThreads, Props>? trialProps)
    {
        _trialProps = trialProps ?? ((trial, threads) => Props.Create(() => new TrialActor(trial, studies, options, threads)));
        _options = options;
        _studies = studies;
        _threads = new TrainingThreads(options.Slots, "training");
        Receive<WorkAvailable>(available =>
        {
            _stopped.Remove(available.StudyId);
            _announcers[available.StudyId] = Sender;
            RequestWork(available.StudyId, Sender);
        });
        Receive<TrialsAssigned>(Start);
        Receive<NoWork>(none =>
        {
            _reservedByStudy.Remove(none.StudyId);
            _announcers.Remove(none.StudyId);
        });
        Receive<StopTrials>(stop =>
        {
            _stopped.Add(stop.StudyId);
            _announcers.Remove(stop.StudyId);
            foreach (var (child, _) in _running.Where(r => r.Value.StudyId == stop.StudyId))
            {
                child.Tell(TrialActor.StopTraining.Instance);
            }
        });
        Receive<StopAll>(_ =>
        {
            _announcers.Clear();
            foreach (var child in _running.Keys)
            {
                child.Tell(TrialActor.StopTraining.Instance);
            }
            Sender.Tell(_running.Count);
        });
        Receive<GetRunningCount>(_ => Sender.Tell(_running.Count));
        Receive<TrialActor.TrainingEnded>(_ =>
        {
            if (_startedAt.Remove(Sender, out var started))
            {
                var seconds = (DateTime.UtcNow - started).TotalSeconds;
                _meanTrainingSeconds = double.IsInfinity(_meanTrainingSeconds) ? seconds : (0.8 * _meanTrainingSeconds) + (0.2 * seconds);
            }
            _training.Remove(Sender);
            StartQueued();
            AskAgain();
        });
        Receive<StopAttempt>(stop =>
        {
            foreach (var (child, _) in _running.Where(r => r.Value.StudyId == stop.StudyId && r.Value.TrialId == stop.TrialId && r.Value.Attempt == stop.Attempt))
            {
                child.Tell(TrialActor.Abandon.Instance);
            }
        });
        Receive<PauseAttempt>(pause =>
        {
            foreach (var (child, _) in _running.Where(r => r.Value.StudyId == pause.StudyId && r.Value.TrialId == pause.TrialId && r.Value.Attempt == pause.Attempt))
            {
                child.Tell(TrialActor.StopTraining.Instance);
            }
        });
        Receive<FinishAck>(_ => { });
        Receive<ConfirmTick>(_ => Confirm());
        Receive<Terminated>(t =>
        {
            if (_running.Remove(t.ActorRef, out var trial) && _failed.Remove(t.ActorRef, out var cause))
            {
                // Its bookkeeping (unacknowledged batches, the state in flight) is gone with it: the coordinator
                // retries the trial from its last recorded state. Were the report lost, the lease would expire.
                _log.Error("The actor of trial {0} attempt {1} failed: {2}; reporting the attempt as crashed", trial.TrialId, trial.Attempt, cause);
                _studies.Tell(new TrialCrashed(trial.StudyId, trial.TrialId, trial.Attempt, $"the worker's trial actor failed: {cause}"));
            }
            _training.Remove(t.ActorRef);
            _startedAt.Remove(t.ActorRef);
            StartQueued();
            AskAgain();
        });
        Receive<RetryTick>(_ =>
        {
            foreach (var (study, reserved) in _reservedByStudy.Where(r => DateTime.UtcNow - r.Value.At > RequestTimeout).ToList())
            {
                _log.Warning("No answer from study {0}'s coordinator to a request for work in {1} s; asking again", study, RequestTimeout.TotalSeconds);
                _reservedByStudy.Remove(study);
            }
            AskAgain();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Stop every running trial (they save their state); replies with how many were running.</summary>
    public sealed record StopAll
    {
        public static readonly StopAll Instance = new();
    }

    public sealed record GetRunningCount
    {
        public static readonly GetRunningCount Instance = new();
    }

    private sealed record RetryTick;

    private sealed record ConfirmTick;

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("retry", new RetryTick(), RetryInterval);
        Timers.StartPeriodicTimer("confirm", new ConfirmTick(), ConfirmInterval);
    }

    /// <summary>A trial actor that throws is stopped, never restarted: a restart would lose what it had not had acknowledged.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new StopAndRecord((child, cause) => _failed[child] = $"{cause.GetType().Name}: {cause.Message}");

    /// <summary>Stops a child that throws and tells the worker which child it was (the decider alone is not told).</summary>
    private sealed class StopAndRecord(Action<IActorRef, Exception> onFailure) : OneForOneStrategy(_ => Directive.Stop)
    {
        public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, Akka.Actor.Internal.ChildRestartStats stats, IReadOnlyCollection<Akka.Actor.Internal.ChildRestartStats> children)
        {
            onFailure(child, cause);
            base.ProcessFailure(context, restart, child, cause, stats, children);
        }
    }

    /// <summary>Renews the lease of every attempt held here, queued or training, per study, in bounded pages.</summary>
    private void Confirm()
    {
        foreach (var study in _running.GroupBy(t => t.Value.StudyId))
        {
            foreach (var page in study.Select(t => new AttemptRef(t.Value.TrialId, t.Value.Attempt, _training.Contains(t.Key))).Chunk(ConfirmAttempts.MaxAttempts))
            {
                _studies.Tell(new ConfirmAttempts(study.Key, _options.Node, page));
            }
        }
    }

    protected override void PostStop()
    {
        _threads.Dispose();
        base.PostStop();
    }

    private int Free => _options.Slots + QueueDepth - _training.Count - _queued.Count - _reservedByStudy.Values.Sum(r => r.Slots);

    /// <summary>
    /// How many assigned trials to hold beyond the busy slots: enough to cover a round trip to the
    /// coordinator when trials are short, one slot's worth when they are long (a deep queue of long trials
    /// on one worker would leave others idle at the end of a study).
    /// </summary>
    private int QueueDepth => Math.Min(MaxQueued, _options.Slots * (_meanTrainingSeconds < 1 ? 16 : 1));

    private const int MaxQueued = 1024;

    private void RequestWork(string studyId, IActorRef coordinator)
    {
        var free = Free;
        if (free <= 0 || _reservedByStudy.ContainsKey(studyId))
        {
            return;
        }
        _reservedByStudy[studyId] = (free, DateTime.UtcNow);
        coordinator.Tell(new RequestWork(studyId, free, _options.Node));
    }

    private void AskAgain()
    {
        foreach (var (study, coordinator) in _announcers.ToList())
        {
            RequestWork(study, coordinator);
        }
    }

    private void Start(TrialsAssigned assigned)
    {
        _reservedByStudy.Remove(assigned.StudyId);
        foreach (var trial in assigned.Trials)
        {
            var child = Context.ActorOf(_trialProps(trial, _threads), $"trial-{trial.TrialId}-{trial.Attempt}");
            Context.Watch(child);
            _running[child] = trial;
            if (_stopped.Contains(trial.StudyId))
            {
                child.Tell(TrialActor.StopTraining.Instance);
                continue;
            }
            _queued.Enqueue(child);
        }
        StartQueued();
        AskAgain();
    }

    private void StartQueued()
    {
        while (_training.Count < _options.Slots && _queued.TryDequeue(out var next))
        {
            if (!_running.ContainsKey(next))
            {
                continue;
            }
            _training.Add(next);
            _startedAt[next] = DateTime.UtcNow;
            next.Tell(TrialActor.Begin.Instance);
            _log.Info("Started trial {0}", next.Path.Name);
            // Its coordinator counts it as training rather than queued at once, not at the next renewal.
            var trial = _running[next];
            _studies.Tell(new ConfirmAttempts(trial.StudyId, _options.Node, [new AttemptRef(trial.TrialId, trial.Attempt, Training: true)]));
        }
    }
}

/// <summary>How a worker node runs trials.</summary>
/// <param name="Node">This node's unique cluster address: coordinators release its trials if it is lost.</param>
/// <param name="Slots">Trainings at once, on as many training threads. Slots 0 trains nothing (a node that only answers).</param>
/// <param name="SaveStateInterval">How often a running trial sends its training state to the coordinator.</param>
/// <param name="Executor">Runs one trial's training; the engine by default, a stand-in in tests.</param>
public sealed record WorkerOptions(string Node, int Slots, TimeSpan SaveStateInterval, ITrialExecutor Executor);
