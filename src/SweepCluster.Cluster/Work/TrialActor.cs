using Akka.Actor;
using Akka.Event;
using SweepCluster.Protocol;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Work;

/// <summary>
/// One running trial on a worker. The training runs on one of the worker's dedicated training threads (never
/// on Akka's dispatcher, or heartbeats starve); this actor batches its checkpoints to the study's coordinator
/// and re-sends each batch until it is acknowledged. The thread may run ahead by a bounded number of
/// unacknowledged checkpoints, then waits: a slow store slows training down instead of filling memory. Training
/// states go to the coordinator in acknowledged chunks (<see cref="StateUpload"/>), and a resumed attempt
/// fetches its state the same way before training (<see cref="StateDownload"/>). The end of the trial is
/// reported only after every batch and the latest state were acknowledged.
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
    private const int MaxLoadFailures = 3;

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
    // The state being sent, and the newest one produced meanwhile (sent next; any older one is dropped).
    private StateUpload? _upload;
    private StateUpload? _nextUpload;
    // The state this attempt resumes from, while it is fetched; training starts once it is whole.
    private StateDownload? _download;
    private int _downloadFailures;
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
            // The checkpoints before the state go first: the coordinator records a state only after them.
            Flush();
            var upload = new StateUpload(_trial, s.Step, _lastProducedStep, s.State);
            if (_upload is null)
            {
                _upload = upload;
                SendDue();
            }
            else
            {
                _nextUpload = upload;
            }
        });
        Receive<Begin>(_ => OnBegin());
        Receive<StoredStateChunk>(chunk =>
        {
            if (_download is null || chunk.Attempt != _trial.Attempt)
            {
                return;
            }
            _download.Received(chunk);
            if (_download.IsComplete)
            {
                var state = _download.Assemble();
                _download = null;
                StartTraining(state);
                return;
            }
            SendDue();
        });
        Receive<StateUnavailable>(OnStateUnavailable);
        Receive<StateChunkAck>(ack =>
        {
            if (_upload is { } upload && ack.Attempt == _trial.Attempt && ack.Step == upload.Step)
            {
                upload.Acknowledged(ack.Index);
                SendDue();
            }
        });
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
            if (_upload is { } upload && upload.Step == ack.Step && ack.Attempt == _trial.Attempt)
            {
                _upload = _nextUpload;
                _nextUpload = null;
                SendDue();
            }
            SendFinishWhenDrained();
        });
        Receive<FinishAck>(_ => Context.Stop(Self));
        Receive<Abandon>(_ =>
        {
            _log.Info("Trial {0} attempt {1} is no longer current at its coordinator; dropped", _trial.TrialId, _trial.Attempt);
            _cancellation.Cancel();
            Context.Stop(Self);
        });
        Receive<StopTraining>(_ =>
        {
            if (_started)
            {
                _cancellation.Cancel();
            }
            else if (_download is not null)
            {
                _download = null;
                Finish(new TrialFinished(_trial.StudyId, _trial.TrialId, _trial.Attempt, TrialEnd.Cancelled, 0, null, null, "released while its state was loading", []));
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

    /// <summary>From the worker: the coordinator no longer runs this attempt. Stop at once, reporting nothing.</summary>
    public sealed record Abandon
    {
        public static readonly Abandon Instance = new();
    }

    private sealed record Produced(Checkpoint Checkpoint, bool Credited);

    private sealed record StateProduced(long Step, byte[] State);

    private sealed record Done(TrialOutcome Outcome);

    private sealed record Crashed(string Reason);

    private sealed record Tick;

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", new Tick(), FlushInterval);

    private void OnBegin()
    {
        if (_started || _finish is not null || _download is not null)
        {
            return;
        }
        if (_trial.ResumeStep is { } step)
        {
            _download = new StateDownload(_trial, step);
            SendDue();
            return;
        }
        StartTraining(null);
    }

    private void StartTraining(byte[]? resumeState)
    {
        _started = true;
        var self = Self;
        var observer = new Observer(self, _credits, _cancellation, _trial.PauseAtStep);
        _threads.Run(() => Train(self, observer, resumeState));
    }

    /// <summary>
    /// While loading: a state that is not stored means starting from step 0 (the same checkpoints again,
    /// kept once); a store that keeps failing means handing the trial back. While sending: the coordinator
    /// found chunks missing, so all are sent again.
    /// </summary>
    private void OnStateUnavailable(StateUnavailable unavailable)
    {
        if (unavailable.Attempt != _trial.Attempt)
        {
            return;
        }
        if (_download is { } download && download.Step == unavailable.Step)
        {
            if (unavailable.Missing)
            {
                _log.Warning("Trial {0}: {1}; starting from step 0", _trial.TrialId, unavailable.Reason);
                _download = null;
                StartTraining(null);
            }
            else if (++_downloadFailures >= MaxLoadFailures)
            {
                _download = null;
                Finish(new TrialFinished(_trial.StudyId, _trial.TrialId, _trial.Attempt, TrialEnd.Cancelled, 0, null, null,
                    $"its saved state at step {unavailable.Step} could not be loaded: {unavailable.Reason}", []));
            }
            return;
        }
        if (_upload is { } upload && upload.Step == unavailable.Step)
        {
            upload.Restart();
            SendDue();
        }
    }

    private void SendDue()
    {
        var now = DateTime.UtcNow;
        foreach (var message in (IEnumerable<IStudyMessage>?)_download?.Due(now, ResendAfter) ?? [])
        {
            _studies.Tell(message);
        }
        foreach (var message in _upload?.Due(now, ResendAfter) ?? [])
        {
            _studies.Tell(message);
        }
    }

    protected override void PostStop()
    {
        _cancellation.Cancel();
        base.PostStop();
    }

    private void Train(IActorRef self, Observer observer, byte[]? resumeState)
    {
        try
        {
            var spec = TrialJson.Deserialize<TrialSpec>(_trial.SpecJson);
            var outcome = _options.Executor.Execute(spec, resumeState, observer, _options.SaveStateInterval, _cancellation.Token);
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
        SendDue();
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
        if (_finish is not null && _finishSentAt is null && _pending.Count == 0 && _unacknowledged.Count == 0 && _upload is null && _download is null)
        {
            _finishSentAt = DateTime.UtcNow;
            _studies.Tell(_finish);
        }
    }

    /// <summary>
    /// Runs on the training thread: hands results to the actor, waiting while too many are unacknowledged,
    /// and pauses the trial at the scheduler's rung (cancelling it there saves its state and hands it back).
    /// </summary>
    private sealed class Observer(IActorRef actor, SemaphoreSlim credits, CancellationTokenSource stop, long? pauseAtStep) : ITrialProgress
    {
        private readonly CancellationToken cancellation = stop.Token;

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
            if (checkpoint.Step >= pauseAtStep)
            {
                stop.Cancel();
            }
        }

        public void OnState(long atStep, byte[] bytes) => actor.Tell(new StateProduced(atStep, bytes));
    }
}
