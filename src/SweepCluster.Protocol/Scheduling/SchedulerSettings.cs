using System.Text.Json.Serialization;

namespace SweepCluster.Protocol.Scheduling;

[JsonConverter(typeof(JsonStringEnumConverter<SchedulerKind>))]
public enum SchedulerKind { Fifo, Asha, Median }

/// <summary>Which way the scheduler's metric is better.</summary>
public enum Goal { Max, Min }

/// <summary>What a scheduler ranks: a configuration with all its seeds (the default), or each trial alone (what other tools do).</summary>
public enum ScheduleUnit { Configuration, Trial }

/// <summary>
/// A study's early-stopping rule, from the sweep's <c>scheduler:</c> key. Rungs are the steps at which
/// configurations are compared: for ASHA <see cref="MinSteps"/> times <see cref="ReductionFactor"/> to
/// the k-th power, for the median rule every <see cref="Every"/> steps from <see cref="MinSteps"/>, always
/// below the trial's last step. <see cref="MaxSeeds"/>: how many seeds a configuration whose interval
/// straddles the cut may grow to before it is decided (null: the sweep's seeds only).
/// </summary>
public sealed record SchedulerSettings(
    SchedulerKind Kind,
    string Metric,
    Goal Mode,
    long MinSteps,
    int ReductionFactor,
    long Every,
    double Confidence,
    ScheduleUnit Unit = ScheduleUnit.Configuration,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxSeeds = null)
{
    public static SchedulerSettings Fifo { get; } = new(SchedulerKind.Fifo, "margin_l2", Goal.Max, 0, 3, 0, 0.95);

    [JsonIgnore]
    public bool Stops => Kind != SchedulerKind.Fifo;

    /// <summary>The rung steps of a trial of <paramref name="steps"/> steps, ascending.</summary>
    public IEnumerable<long> Rungs(long steps)
    {
        if (!Stops || MinSteps <= 0)
        {
            yield break;
        }
        for (var rung = MinSteps; rung < steps;)
        {
            yield return rung;
            var next = Kind == SchedulerKind.Asha ? rung * ReductionFactor : rung + Every;
            if (next <= rung)
            {
                yield break;
            }
            rung = next;
        }
    }
}
