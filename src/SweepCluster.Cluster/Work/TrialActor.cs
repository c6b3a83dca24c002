using Akka.Actor;
using Akka.Event;
using SweepCluster.Cluster.Protocol;
using SweepCluster.Training;
using SweepCluster.Training.State;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Work;

/// <summary>
/// One running trial on a worker. The training runs on one of the worker's dedicated training threads (never
/// on Akka's dispatcher, or heartbeats starve); this actor batches its checkpoints to the study's coordinator
/// and re-sends each batch until it is acknowledged. The thread may run ahead by a bounded number of
/// unacknowledged checkpoints, then waits: a slow store slows training down instead of filling memory. The
/// end of the trial is reported only after every batch and the latest state were acknowledged.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The training thread may still use the semaphore and token after the actor stops; neither holds an unmanaged resource here.")]
public sealed class TrialActor : ReceiveActor, IWithTimers
{
    public const int BatchSize = 256;
    public const int MaxUnacknowledged = 4 * BatchSize;
    // Each flush is a journal write at the coordinator. Every second rather than every 200 ms: a 1 s trial
    // writes its checkpoints once or twice instead of five times, and in a node's first study the threads
    // besides the trainings used a quarter less CPU (cluster benchmark, `overhead 40 1 2`). The progress
    // display refreshes every 500 ms; a margin reaches it within about a second.
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(3);

    private readonly AssignTrial _trial;
    private readonly IActorRef _studies;
    private readonly WorkerOptions _options;
    private readonly TrainingThreads _threads;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cancellation = new();
    private readonly SemaphoreSlim _credits = new(MaxUnacknowledged, MaxUnacknowledged);
    private readonly List<Checkpoint> _pending = [];
    private readonly SortedDictionary<long, (CheckpointBatch Batch, DateTime SentAt, int Credits)> _unacknowledged = [];
    // Credits the training thread took for the pending checkpoints (one taken while stopping has none).
    private int _pendingCredits;
    private (TrialStateReport Report, DateTime SentAt)? _state;
    private IStudyMessage? _finish;
    // Null while the end waits for every batch and the latest state to be acknowledged; only then is it sent (and re-sent).
    private DateTime? _finishSentAt;
    private long _nextSequence;
    private long _lastProducedStep = -1;
    private bool _started;

    public TrialActor(AssignTrial trial, IActorRef studies, WorkerOptions options, TrainingThreads threads)
    {
        _trial = trial;
        _studies = studies;
        _options = options;
        _threads = threads;
        Receive<Produced>(p =>
        {
            _lastProducedStep = p.Checkpoint.Step;
            _pending.Add(p.Checkpoint);
            _pendingCredits += p.Credited ? 1 : 0;
            if (_pending.Count >= BatchSize)
            {
                Flush();
            }
        });
        Receive<StateProduced>(s =>
        {
            // The checkpoints before the state go first: the coordinator stores a state only after them.
            Flush();
            var report = new TrialStateReport(_trial.StudyId, _trial.TrialId, _trial.Attempt, s.State.Step, _lastProducedStep, s.State.Safetensors);
            _state = (report, DateTime.UtcNow);
            _studies.Tell(report);
        });
        Receive<Begin>(_ => StartTraining());
        Receive<Done>(done =>
        {
            Context.Parent.Tell(TrainingEnded.Instance);
            var o = done.Outcome;
            _log.Info("Trial {0} ended: {1} at step {2}", _trial.TrialId, o.End, o.Step);
            Finish(new TrialFinished(_trial.StudyId, _trial.TrialId, _trial.Attempt, o.End, o.Step, o.FirstFitStep, o.Final, o.Reason, TakePending()));
        });
        Receive<Crashed>(crashed =>
        {
            Context.Parent.Tell(TrainingEnded.Instance);
            _log.Warning("Trial {0} attempt {1} threw: {2}", _trial.TrialId, _trial.Attempt, crashed.Reason);
            Finish(new TrialCrashed(_trial.StudyId, _trial.TrialId, _trial.Attempt, crashed.Reason));
        });
        Receive<BatchAck>(ack =>
        {
            if (ack.Attempt == _trial.Attempt && _unacknowledged.Remove(ack.Sequence, out var sent))
            {
                // Only the credits taken: releasing more would overflow the semaphore and restart this actor,
                // losing the trial's end (the trial then stayed running for good after an interrupt).
                if (sent.Credits > 0)
                {
                    _credits.Release(sent.Credits);
                }
            }
            SendFinishWhenDrained();
        });
        Receive<StateAck>(ack =>
        {
            if (_state is { } s && s.Report.Step == ack.Step)
            {
                _state = null;
            }
            SendFinishWhenDrained();
        });
        Receive<FinishAck>(_ => Context.Stop(Self));
        Receive<StopTraining>(_ =>
        {
            if (_started)
            {
                _cancellation.Cancel();
            }
            else if (_finish is null)
            {
                // Assigned but never started: hand it back untouched.
                Finish(new TrialFinished(_trial.StudyId, _trial.TrialId, _trial.Attempt, TrialEnd.Cancelled, 0, null, null, "released before it started", []));
            }
        });
        Receive<Tick>(_ =>
        {
            Flush();
            Resend();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public sealed record StopTraining
    {
        public static readonly StopTraining Instance = new();
    }

    /// <summary>Start training: the worker sends it when a slot is free.</summary>
    public sealed record Begin
    {
        public static readonly Begin Instance = new();
    }

    /// <summary>To the worker: the training thread is done, its slot is free; acknowledgements may still be pending.</summary>
    public sealed record TrainingEnded
    {
        public static readonly TrainingEnded Instance = new();
    }

    private sealed record Produced(Checkpoint Checkpoint, bool Credited);

    private sealed record StateProduced(TrainingState State);

    private sealed record Done(TrialOutcome Outcome);

    private sealed record Crashed(string Reason);

    private sealed record Tick;

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", new Tick(), FlushInterval);

    private void StartTraining()
    {
        if (_started || _finish is not null)
        {
            return;
        }
        _started = true;
        var self = Self;
        var observer = new Observer(self, _credits, _cancellation.Token);
        _threads.Run(() => Train(self, observer));
    }

    protected override void PostStop()
    {
        _cancellation.Cancel();
        base.PostStop();
    }

    private void Train(IActorRef self, Observer observer)
    {
        try
        {
            var spec = TrialJson.Deserialize<TrialSpec>(_trial.SpecJson);
            var resume = _trial.ResumeState is null ? null : TrainingState.Read(_trial.ResumeState, $"saved state of trial {_trial.TrialId}");
            var outcome = _options.Executor.Execute(spec, resume, observer, _options.SaveStateInterval, _cancellation.Token);
            self.Tell(new Done(outcome));
        }
        catch (Exception e)
        {
            self.Tell(new Crashed($"{e.GetType().Name}: {e.Message}"));
        }
    }

    private void Flush()
    {
        if (_pending.Count == 0)
        {
            return;
        }
        var batch = new CheckpointBatch(_trial.StudyId, _trial.TrialId, _trial.Attempt, _nextSequence++, _pending.ToList());
        _pending.Clear();
        _unacknowledged[batch.Sequence] = (batch, DateTime.UtcNow, _pendingCredits);
        _pendingCredits = 0;
        _studies.Tell(batch);
    }

    private void Resend()
    {
        var now = DateTime.UtcNow;
        foreach (var (sequence, sent) in _unacknowledged.Where(u => now - u.Value.SentAt >= ResendAfter).ToList())
        {
            _unacknowledged[sequence] = (sent.Batch, now, sent.Credits);
            _studies.Tell(sent.Batch);
        }
        if (_state is { } state && now - state.SentAt >= ResendAfter)
        {
            _state = (state.Report, now);
            _studies.Tell(state.Report);
        }
        if (_finish is not null && _finishSentAt is { } sentAt && now - sentAt >= ResendAfter)
        {
            _finishSentAt = now;
            _studies.Tell(_finish);
        }
    }

    private void Finish(IStudyMessage message)
    {
        Flush();
        _finish = message;
        SendFinishWhenDrained();
    }

    /// <summary>The checkpoints not batched yet: they travel with the end of the trial, stored in the same write.</summary>
    private List<Checkpoint> TakePending()
    {
        var tail = _pending.ToList();
        _pending.Clear();
        _pendingCredits = 0;
        return tail;
    }

    private void SendFinishWhenDrained()
    {
        if (_finish is not null && _finishSentAt is null && _pending.Count == 0 && _unacknowledged.Count == 0 && _state is null)
        {
            _finishSentAt = DateTime.UtcNow;
            _studies.Tell(_finish);
        }
    }

    /// <summary>Runs on the training thread: hands results to the actor, waiting while too many are unacknowledged.</summary>
    private sealed class Observer(IActorRef actor, SemaphoreSlim credits, CancellationToken cancellation) : ITrialObserver
    {
        public void OnCheckpoint(Checkpoint checkpoint)
        {
            bool credited;
            try
            {
                credits.Wait(cancellation);
                credited = true;
            }
            catch (OperationCanceledException)
            {
                // Stopping: never drop a checkpoint (the saved state will resume after it), but it holds no credit.
                credited = false;
            }
            actor.Tell(new Produced(checkpoint, credited));
        }

        public void OnState(TrainingState state) => actor.Tell(new StateProduced(state));
    }
}
