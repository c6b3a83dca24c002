using System.Collections.Immutable;
using System.Text.Json.Serialization;
using SweepCluster.Protocol.Scheduling;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Study;

[JsonConverter(typeof(JsonStringEnumConverter<TrialStatus>))]
public enum TrialStatus
{
    Pending,
    Running,
    /// <summary>Ended for good: all steps, loss threshold, wall clock, or diverged (see <see cref="TrialRecord.End"/>).</summary>
    Completed,
    /// <summary>Threw on every attempt the study allows.</summary>
    Failed,
    /// <summary>Stopped by the study's scheduler (its configuration was clearly behind at a rung); keeps its checkpoints.</summary>
    Pruned,
}

/// <summary>
/// What the coordinator knows of one trial. Checkpoints themselves live in the journal, not here. With a
/// scheduler: its configuration, its values at the rungs it reached, the rung it waits at (<see cref="HeldAt"/>)
/// until its configuration is judged there, and its place in the queue while pending (<see cref="QueueKey"/>).
/// </summary>
public sealed record TrialRecord(
    string TrialId,
    int Ordinal,
    string SpecJson,
    AlgorithmKind Algorithm,
    double Lr,
    int Seed,
    int Steps,
    TrialStatus Status,
    int Attempt,
    int Failures,
    string? Node,
    long LastStep,
    long CheckpointCount,
    long NextBatch,
    long? StateStep,
    TrialEnd? End,
    long? FirstFitStep,
    Checkpoint? Latest,
    string? Reason,
    string? Configuration = null,
    ImmutableList<RungObservation>? Rungs = null,
    long? HeldAt = null,
    long? QueueKey = null)
{
    public bool IsTerminal => Status is TrialStatus.Completed or TrialStatus.Failed or TrialStatus.Pruned;

    /// <summary>Its configuration: the same for all its seeds (recorded for studies with a scheduler).</summary>
    [JsonIgnore]
    public string ConfigurationId => Configuration ?? ReplicateConfig.Id(SpecJson);

    public RungObservation? At(long rung) => Rungs?.Find(r => r.Rung == rung);

    public static TrialRecord New(TrialDefinition definition, int ordinal, bool scheduled = false)
    {
        var spec = TrialJson.Deserialize<TrialSpec>(definition.SpecJson);
        return new(definition.TrialId, ordinal, definition.SpecJson, spec.Algorithm, spec.Lr, spec.Seed, spec.Steps, TrialStatus.Pending, Attempt: 0, Failures: 0, Node: null, LastStep: -1, CheckpointCount: 0, NextBatch: 0, StateStep: null,
        End: null, FirstFitStep: null, Latest: null, Reason: null,
        Configuration: scheduled ? ReplicateConfig.Id(definition.SpecJson) : null, Rungs: scheduled ? [] : null);
    }
}
