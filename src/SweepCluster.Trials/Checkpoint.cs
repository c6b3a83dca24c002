using System.Text.Json.Serialization;

namespace SweepCluster.Trials;

/// <summary>
/// The metrics of one training state. The field names (snake_case in JSON and CSV) are the product's
/// contract: every interface that shows checkpoints keeps them. A value that is not finite (a margin of
/// a zero network, say) is null. <see cref="Holds"/> and <see cref="HeldSteps"/> are set only for coordinate
/// descent with <c>kink_hold: true</c>: how often it held a coordinate at a ReLU kink, and at how many steps
/// one was held, since step 0. The own-norm fields use the norm of the trial's algorithm (l2 for gd,
/// l-infinity for sign and Adam, l1 for coordinate, lp for steepest): <see cref="MarginOwn"/> and
/// <see cref="SmoothedMarginOwn"/> are the margins normalized by it. Alignment in lp is
/// &lt;theta, -grad L&gt; / (||theta||_p ||grad L||_q), q the dual exponent: at most 1 (Hoelder), and 1 exactly
/// where -grad L lies in the subdifferential direction of the lp norm at theta, as it does at a KKT point of
/// that norm's margin-maximization problem. Checkpoints written before these existed have none. Each field is declared here once, with its <see cref="MetricAttribute"/>;
/// the metric registry, the read model's columns, the queries and the schedulers all follow these
/// declarations, so a new metric is a new parameter here plus its computation in the engine.
/// </summary>
public sealed record Checkpoint(
    [Metric(Better.Neither)] long Step,
    [Metric(Better.Smaller)] double Loss,
    [Metric(Better.Larger)] double TrainAccuracy,
    [Metric(Better.Larger)] double? TestAccuracy,
    [Metric(Better.Neither)] double NormL1,
    [Metric(Better.Neither)] double NormL2,
    [Metric(Better.Neither)] double NormLinf,
    [Metric(Better.Larger, MeaningfulOnceFit = true, Summarized = true)] double? MarginL1,
    [Metric(Better.Larger, MeaningfulOnceFit = true, Summarized = true)] double? MarginL2,
    [Metric(Better.Larger, MeaningfulOnceFit = true, Summarized = true)] double? MarginLinf,
    [Metric(Better.Larger, MeaningfulOnceFit = true)] double? SmoothedMarginL1,
    [Metric(Better.Larger, MeaningfulOnceFit = true)] double? SmoothedMarginL2,
    [Metric(Better.Larger, MeaningfulOnceFit = true)] double? SmoothedMarginLinf,
    [Metric(Better.Smaller)] double WallMs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][Metric(Better.Neither)] long? Holds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][Metric(Better.Neither)] long? HeldSteps = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][Metric(Better.Larger, MeaningfulOnceFit = true)] double? MarginOwn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][Metric(Better.Larger, MeaningfulOnceFit = true)] double? SmoothedMarginOwn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][Metric(Better.Larger, MeaningfulOnceFit = true)] double? AlignmentL1 = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][Metric(Better.Larger, MeaningfulOnceFit = true)] double? AlignmentL2 = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][Metric(Better.Larger, MeaningfulOnceFit = true)] double? AlignmentLinf = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)][Metric(Better.Larger, MeaningfulOnceFit = true)] double? AlignmentOwn = null)
{
    /// <summary>The same checkpoint with its wall-clock time left out: what two runs of one trial must agree on.</summary>
    public Checkpoint WithoutWallTime() => this with { WallMs = 0 };
}
