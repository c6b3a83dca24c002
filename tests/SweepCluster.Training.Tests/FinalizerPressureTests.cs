using SweepCluster.Training.Data;
using SweepCluster.Trials;

namespace SweepCluster.Training.Tests;

/// <summary>
/// TorchSharp hands a Scalar's raw handle to libtorch, and nothing keeps a Scalar made on the fly (a number
/// passed where a Scalar is expected, or an alpha it fills in itself) alive during the call: a collection
/// in that window lets the finalizer free it while libtorch reads it. In a trial that shows up after hours
/// as "Expected false to be true" from c10::Scalar::toFloat. Forcing collections and finalizers without
/// pause opens the window on nearly every call, so a training step that still makes such a Scalar fails
/// within a few thousand steps here.
/// </summary>
public sealed class FinalizerPressureTests
{
    public static TheoryData<AlgorithmKind, double, LossKind, Reduction, double> Trials() => new()
    {
        { AlgorithmKind.Gd, 0.01, LossKind.Exponential, Reduction.Sum, 0 },
        { AlgorithmKind.Sign, 1e-4, LossKind.Logistic, Reduction.Mean, 0 },
        { AlgorithmKind.Coordinate, 0.05, LossKind.Exponential, Reduction.Sum, 0 },
        { AlgorithmKind.Steepest, 0.01, LossKind.Logistic, Reduction.Sum, 0 },
        { AlgorithmKind.Adam, 0.001, LossKind.Exponential, Reduction.Sum, 0 },
        { AlgorithmKind.Adam, 0.001, LossKind.Exponential, Reduction.Mean, 1e-8 },
    };

    [Theory]
    [MemberData(nameof(Trials))]
    public void A_trial_runs_to_its_end_while_collections_and_finalizers_run_without_pause(
        AlgorithmKind algorithm, double lr, LossKind loss, Reduction reduction, double eps)
    {
        var spec = Specs.Synthetic(algorithm, lr, steps: 4000) with
        {
            Loss = loss,
            Reduction = reduction,
            Adam = algorithm == AlgorithmKind.Adam ? new AdamSpec(0.9, 0.999, eps) : null,
        };
        using var data = DatasetLoader.Load(spec.Dataset);
        using var runner = new TrialRunner(spec, data);
        using var pressure = new FinalizerPressure();

        var outcome = runner.Run(new RecordingObserver(), TestContext.Current.CancellationToken);

        Assert.Equal(TrialEnd.Completed, outcome.End);
        Assert.True(pressure.Collections > 100, $"only {pressure.Collections} collections ran during the trial");
    }

    private sealed class FinalizerPressure : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _collections;

        public FinalizerPressure()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    Interlocked.Increment(ref _collections);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public long Collections => Interlocked.Read(ref _collections);

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
