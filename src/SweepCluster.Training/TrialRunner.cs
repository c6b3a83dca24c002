using System.Diagnostics;
using SweepCluster.Training.Data;
using SweepCluster.Training.Metrics;
using SweepCluster.Training.Model;
using SweepCluster.Training.Optimization;
using SweepCluster.Training.State;
using SweepCluster.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepCluster.Training;

/// <summary>
/// Runs one trial: one network, one algorithm, checkpoints every <c>checkpoint_every</c> steps, at step 0
/// and at the last step. Step t's checkpoint describes theta_t, the parameters after t updates. Runs on
/// the calling thread; call it from a dedicated thread, never from an actor dispatcher.
/// </summary>
public sealed class TrialRunner : IDisposable
{
    private readonly TrialSpec _spec;
    private readonly LoadedDataset _data;
    private readonly HomogeneousMlp _model;
    private readonly UpdateRule _rule;
    private readonly MarginObjective _objective;
    private readonly long _startStep;
    private readonly double _elapsedBeforeMs;
    private readonly StallDetector? _stalls;
    private readonly double _ownP;
    private long? _firstFitStep;

    public TrialRunner(TrialSpec spec, LoadedDataset data, TrainingState? resumeFrom = null)
    {
        _spec = spec;
        _data = data;
        TorchRuntime.UseThreads(spec.TorchThreads);
        _model = new HomogeneousMlp(spec.Model, data.Dim, data.Outputs);
        _rule = UpdateRule.Create(spec, _model.ParameterCount);
        _objective = new MarginObjective(spec.Loss, spec.Reduction);
        _ownP = CheckpointMetrics.OwnP(spec);
        // Only full-batch training repeats itself: a mini-batch step depends on the batch as well.
        _stalls = IsFullBatch ? new StallDetector() : null;
        if (resumeFrom is null)
        {
            _model.Initialize(spec.Model.Init, spec.Model.InitScale, spec.Seed);
            return;
        }
        var savedSpec = TrialJson.Deserialize<TrialSpec>(resumeFrom.SpecJson);
        if (savedSpec is { Algorithm: AlgorithmKind.Coordinate, KinkHold: null })
        {
            // Saved before kink_hold was a key: its tensors say which rule saved it, and the rule's Restore
            // refuses a state of the other one.
            savedSpec = savedSpec with { KinkHold = spec.KinkHold };
        }
        var saved = TrialJson.Serialize(savedSpec with { Steps = spec.Steps, Stop = spec.Stop });
        if (saved != TrialJson.Serialize(spec))
        {
            throw new InvalidDataException(
                $"The training state was saved by a trial with another configuration ({string.Join(", ", ChangedKeys(saved, TrialJson.Serialize(spec)))}); only steps and stop may change on resume.");
        }
        resumeFrom.RestoreInto(_model.Weights, _rule, _stalls);
        _startStep = resumeFrom.Step;
        _firstFitStep = resumeFrom.FirstFitStep;
        _elapsedBeforeMs = resumeFrom.ElapsedMs;
    }

    /// <summary>The keys whose values differ between two specs' JSON, as "key: saved -> now".</summary>
    private static IEnumerable<string> ChangedKeys(string savedJson, string json)
    {
        using var before = System.Text.Json.JsonDocument.Parse(savedJson);
        using var after = System.Text.Json.JsonDocument.Parse(json);
        var old = before.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        foreach (var property in after.RootElement.EnumerateObject())
        {
            var now = property.Value.GetRawText();
            if (!old.TryGetValue(property.Name, out var was) || was != now)
            {
                yield return $"{property.Name}: {was ?? "absent"} -> {now}";
            }
        }
    }

    /// <summary>Saves a resumable state every this many steps (none when null).</summary>
    public int? SaveStateEvery { get; init; }

    /// <summary>Saves a resumable state at the first step after this much wall-clock time since the last save (none when null).</summary>
    public TimeSpan? SaveStateInterval { get; init; }

    /// <summary>Saves a state at the trial's last step when it ends as a result (not diverged), so its final parameters can be exported.</summary>
    public bool SaveFinalState { get; init; }

    public HomogeneousMlp Model => _model;

    private bool IsFullBatch => _spec.BatchSize is null || _spec.BatchSize >= _data.TrainCount;

    public TrialOutcome Run(ITrialObserver observer, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        double ElapsedMs() => _elapsedBeforeMs + clock.Elapsed.TotalMilliseconds;
        var logLossThreshold = _spec.Stop.LossBelow > 0 ? Math.Log(_spec.Stop.LossBelow) : double.NegativeInfinity;
        var fullBatch = IsFullBatch;
        Checkpoint? last = null;
        var lastSave = TimeSpan.Zero;

        for (var t = _startStep; ; t++)
        {
            using var scope = NewDisposeScope();
            var resumedHere = t == _startStep && _startStep > 0;

            var trace = new List<Tensor>(_model.Depth);
            var (batchX, batchLabels) = fullBatch ? (_data.TrainX, _data.TrainLabels) : Batch(t);
            var outputs = _model.Forward(batchX, trace);
            var head = _objective.Evaluate(outputs, batchLabels, withGradient: true);
            var full = fullBatch ? head : _objective.Evaluate(_model.Forward(_data.TrainX), _data.TrainLabels, withGradient: false);

            if (!double.IsFinite(head.LogLoss) || !double.IsFinite(full.LogLoss) || double.IsPositiveInfinity(Math.Exp(full.LogLoss)))
            {
                return new TrialOutcome(TrialEnd.Diverged, t, last, _firstFitStep, $"loss became {(double.IsNaN(full.LogLoss) ? "NaN" : "infinite")} at step {t}");
            }
            var due = t % _spec.CheckpointEvery == 0;
            if (_firstFitStep is null && (fullBatch || due) && full.Margins.min().item<double>() > 0)
            {
                _firstFitStep = t;
            }

            // A resumed run's first step was observed before its state was saved.
            var stall = resumedHere ? null : _stalls?.Observe(t, _model.Theta, full.LogLoss, _rule);
            TrialEnd? end = t >= _spec.Steps ? TrialEnd.Completed
                : full.LogLoss < logLossThreshold ? TrialEnd.LossThreshold
                : _spec.Stop.WallSeconds is { } limit && ElapsedMs() >= limit * 1000 ? TrialEnd.WallClockLimit
                : stall is not null ? TrialEnd.Stalled
                : null;
            // The gradient of the loss on every training point: a checkpoint's alignment needs it, and on full
            // batches the step uses the same one.
            var fullGradient = false;
            if ((due || end is not null) && !resumedHere)
            {
                FullGradient(fullBatch, head, trace);
                fullGradient = true;
                last = CheckpointMetrics.Compute(t, full, _model.Theta, _model.Gradient, _ownP, _model.Depth, TestAccuracy(), ElapsedMs());
                if (_rule.HoldCounts is { } holds)
                {
                    last = last with { Holds = holds.Holds, HeldSteps = holds.HeldSteps };
                }
                observer.OnCheckpoint(last);
            }
            if (end is not null)
            {
                SaveFinal(observer, t, ElapsedMs());
                return new TrialOutcome(end.Value, t, last, _firstFitStep, end == TrialEnd.Stalled ? Describe(stall!) : null);
            }
            var saveDue = (SaveStateEvery is { } every && t % every == 0)
                || (SaveStateInterval is { } interval && clock.Elapsed - lastSave >= interval);
            // A state saved at step t always comes after step t's checkpoint, which is why a run resumed
            // from it starts by skipping that checkpoint.
            if (saveDue && !resumedHere)
            {
                observer.OnState(Capture(t, ElapsedMs()));
                lastSave = clock.Elapsed;
            }
            if (cancellation.IsCancellationRequested)
            {
                if (!saveDue || resumedHere)
                {
                    observer.OnState(Capture(t, ElapsedMs()));
                }
                return new TrialOutcome(TrialEnd.Cancelled, t, last, _firstFitStep, "cancelled");
            }

            if (!(fullBatch && fullGradient))
            {
                _model.Backward(head.OutputGradient!, trace);
            }
            if (fullBatch)
            {
                _rule.ObserveActivations(trace);
            }
            try
            {
                _rule.Apply(_model.Theta, _model.Gradient, head.LogLoss, t);
            }
            catch (StepOverflowException e)
            {
                return new TrialOutcome(TrialEnd.Diverged, t, last, _firstFitStep, e.Message);
            }
        }
    }

    /// <summary>Writes d log L / d theta over every training point into the model's gradient buffer.</summary>
    private void FullGradient(bool fullBatch, MarginObjective.Result head, List<Tensor> trace)
    {
        if (fullBatch)
        {
            _model.Backward(head.OutputGradient!, trace);
            return;
        }
        var fullTrace = new List<Tensor>(_model.Depth);
        var everyPoint = _objective.Evaluate(_model.Forward(_data.TrainX, fullTrace), _data.TrainLabels, withGradient: true);
        _model.Backward(everyPoint.OutputGradient!, fullTrace);
    }

    private void SaveFinal(ITrialObserver observer, long step, double elapsedMs)
    {
        if (SaveFinalState)
        {
            observer.OnState(Capture(step, elapsedMs));
        }
    }

    private string Describe(Stall stall)
    {
        var repeat = stall.Period == 1
            ? $"the parameters and the loss ({stall.Loss:G6}) have not changed since step {stall.Since}"
            : $"the parameters and the loss have repeated every {stall.Period} steps since step {stall.Since}";
        return _rule.LastCoordinate is { } i ? $"{repeat}; the last step moved {_model.Describe(i)}" : repeat;
    }

    public TrainingState Capture(long step, double elapsedMs)
    {
        using var scope = NewDisposeScope();
        var state = _stalls is null ? _rule.State : _rule.State.Concat(_stalls.State).ToDictionary();
        return TrainingState.Capture(_spec, step, _firstFitStep, elapsedMs, _model.Weights, state);
    }

    /// <summary>Mini-batch t: epoch t / batches-per-epoch, in an order drawn from (seed, epoch) alone, so resuming needs no RNG state.</summary>
    private (Tensor X, Tensor Labels) Batch(long t)
    {
        var n = _data.TrainCount;
        var size = _spec.BatchSize!.Value;
        var perEpoch = (n + size - 1) / size;
        var epoch = t / perEpoch;
        var index = (int)(t % perEpoch);
        using var generator = new Generator((ulong)HashCode.Combine(_spec.Seed, epoch, 0x5eed));
        var order = randperm(n, generator: generator);
        var rows = order.narrow(0, (long)index * size, Math.Min(size, n - (long)index * size));
        return (_data.TrainX.index_select(0, rows), _data.TrainLabels.index_select(0, rows));
    }

    private double? TestAccuracy()
    {
        if (_data.TestX is null || _data.TestLabels is null)
        {
            return null;
        }
        var test = _objective.Evaluate(_model.Forward(_data.TestX), _data.TestLabels, withGradient: false);
        return CheckpointMetrics.Accuracy(test.Margins);
    }

    public void Dispose()
    {
        _model.Dispose();
        _rule.Dispose();
    }
}
