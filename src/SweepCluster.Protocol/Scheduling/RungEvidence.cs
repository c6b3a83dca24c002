using System.Text.Json.Serialization;

namespace SweepCluster.Protocol.Scheduling;

/// <summary>What a rung's decision compared: the <see cref="Metric"/> itself, whether all seeds fit, or (before any configuration fit) the training loss.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RungBasis>))]
public enum RungBasis { Metric, Fit, Loss }

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
        RungBasis.Fit => $"{Rule} at step {Rung}: {SeedsFit} of {Seeds} seeds fit the training data, while {Reached} configurations reached the step and the cut ({CutConfiguration}) fit with all its seeds; rank {Rank} of {Reached}",
        RungBasis.Loss => $"{Rule} at step {Rung}: before the data is fit, loss {Mean:G4} [{Lower:G4}, {Upper:G4}] over {Seeds} seeds, against the cut {Cut:G4} ({CutConfiguration}); rank {Rank} of {Reached}",
        _ => $"{Rule} at step {Rung}: {Metric} {Mean:G4} [{Lower:G4}, {Upper:G4}] over {Seeds} seeds, against the cut {Cut:G4} ({CutConfiguration}); rank {Rank} of {Reached}",
    };
}
