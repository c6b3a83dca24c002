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
    long? QueueKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? LegacyKinkHold = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Unresumable = null)
{
    public bool IsTerminal => Status is TrialStatus.Completed or TrialStatus.Failed or TrialStatus.Pruned;

    /// <summary>Its configuration: the same for all its seeds (recorded for studies with a scheduler).</summary>
    [JsonIgnore]
    public string ConfigurationId => Configuration ?? ReplicateConfig.Id(SpecJson);

    public RungObservation? At(long rung) => Rungs?.Find(r => r.Rung == rung);

    /// <summary>
    /// The spec a worker trains: the journaled one, except that a coordinate trial journaled before
    /// <c>kink_hold</c> was a key gets the rule it ran with written in (<see cref="LegacyKinkHold"/>), so no
    /// engine ever guesses it. The journaled spec stays as it was: ids and configurations are computed from it.
    /// </summary>
    [JsonIgnore]
    public string RunnableSpecJson => LegacyKinkHold is { } hold ? LegacyCoordinate.WithKinkHold(SpecJson, hold) : SpecJson;

    /// <param name="engine">The <see cref="EngineVersion"/> of the event that added it.</param>
    /// <param name="inherited">Asked only for a coordinate spec that does not say <c>kink_hold</c> in a journal that records versions (a seed added to a configuration journaled before): the rule of its configuration.</param>
    public static TrialRecord New(TrialDefinition definition, int ordinal, bool scheduled, int engine, Func<bool?>? inherited = null)
    {
        var spec = TrialJson.Deserialize<TrialSpec>(definition.SpecJson);
        var namesNoRule = spec is { Algorithm: AlgorithmKind.Coordinate, KinkHold: null };
        var legacy = namesNoRule ? EngineVersion.ImpliedKinkHold(engine) ?? inherited?.Invoke() : null;
        return new(definition.TrialId, ordinal, definition.SpecJson, spec.Algorithm, spec.Lr, spec.Seed, spec.Steps, TrialStatus.Pending, Attempt: 0, Failures: 0, Node: null, LastStep: -1, CheckpointCount: 0, NextBatch: 0, StateStep: null,
        End: null, FirstFitStep: null, Latest: null, Reason: null,
        Configuration: scheduled ? ReplicateConfig.Id(definition.SpecJson) : null, Rungs: scheduled ? [] : null,
        LegacyKinkHold: legacy,
        Unresumable: namesNoRule && legacy is null
            ? "its coordinate descent spec does not say kink_hold, and nothing in the journal says which rule it ran; add it again with kink_hold: true or false"
            : null);
    }

    /// <summary>
    /// The attempt was assigned by an engine of this version. A coordinate trial journaled as plain coordinate
    /// descent that an engine with the implicit hold then trained has a trajectory of both rules: it can be
    /// continued under neither, so it is marked <see cref="Unresumable"/>, with why.
    /// </summary>
    public TrialRecord AssignedUnder(int engine, long? fromStep, DateTimeOffset at) =>
        LegacyKinkHold == false && engine == EngineVersion.ImplicitKinkHold && Unresumable is null
            ? this with
            {
                Unresumable = $"it was journaled as plain coordinate descent, then trained from step {fromStep ?? 0:N0} by a build whose coordinate descent held coordinates at ReLU kinks (attempt {Attempt}, {at:yyyy-MM-dd HH:mm} UTC); its trajectory mixes the two rules, so it resumes under neither. Add it again with kink_hold: true or false",
            }
            : this;
}
