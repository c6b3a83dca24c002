using System.Text.Json.Serialization;
using SweepCluster.Protocol;
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
}

/// <summary>What the coordinator knows of one trial. Checkpoints themselves live in the journal, not here.</summary>
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
    string? Reason)
{
    public bool IsTerminal => Status is TrialStatus.Completed or TrialStatus.Failed;

    public static TrialRecord New(TrialDefinition definition, int ordinal)
    {
        var spec = TrialJson.Deserialize<TrialSpec>(definition.SpecJson);
        return new(definition.TrialId, ordinal, definition.SpecJson, spec.Algorithm, spec.Lr, spec.Seed, spec.Steps, TrialStatus.Pending, Attempt: 0, Failures: 0, Node: null, LastStep: -1, CheckpointCount: 0, NextBatch: 0, StateStep: null,
        End: null, FirstFitStep: null, Latest: null, Reason: null);
    }
}
