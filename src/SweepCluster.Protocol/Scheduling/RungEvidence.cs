using System.Text.Json.Serialization;

namespace SweepCluster.Protocol.Scheduling;

/// <summary>A configuration at a rung: on to the next rung, held until more configurations reach this one, or stopped.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RungDecision>))]
public enum RungDecision
{
    Continue,
    Wait,
    Stop,

    /// <summary>Its interval straddles the cut and the sweep allows more seeds: they are added and run to the rung, and it is judged again there.</summary>
    Replicate,
}

/// <summary>What a rung's decision compared: the <see cref="Metric"/> itself, or (while the configuration's seeds have not all fit its data) the training loss.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RungBasis>))]
public enum RungBasis { Metric, Loss }

/// <summary>
/// The numbers behind one decision at one rung: the configuration's mean over its seeds and its
/// confidence interval, the cut it was compared with (the promotion cut for ASHA, the median for the
/// median rule) and the configuration that sets the cut, and how many configurations had reached the rung.
/// </summary>
public sealed record RungEvidence(
    string Rule,
    RungBasis Basis,
    string Metric,
    long Rung,
    int Seeds,
    int SeedsFit,
    double Mean,
    double Lower,
    double Upper,
    double Cut,
    string CutConfiguration,
    int Rank,
    int Reached)
{
    public string Describe() => Basis switch
    {
        RungBasis.Loss => $"{Rule} at step {Rung}: {SeedsFit} of {Seeds} seeds fit the data, so on loss: {Mean:G4} [{Lower:G4}, {Upper:G4}] against the cut {Cut:G4} ({CutConfiguration}); rank {Rank} of {Reached}",
        _ => $"{Rule} at step {Rung}: {Metric} {Mean:G4} [{Lower:G4}, {Upper:G4}] over {Seeds} seeds, against the cut {Cut:G4} ({CutConfiguration}); rank {Rank} of {Reached}",
    };
}
