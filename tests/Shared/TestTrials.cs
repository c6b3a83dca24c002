using SweepCluster.Protocol;
using SweepCluster.Sweeps;
using SweepCluster.Trials;

namespace SweepCluster.Tests.Shared;

internal static class TestTrials
{
    /// <summary>A tiny study: the four algorithms times the given seeds on a small synthetic set.</summary>
    public static Sweep Sweep(string study, int seeds = 1, int steps = 40) => SweepReader.Parse($$"""
        study: {{study}}
        dataset: {kind: synthetic, n: 30, dim: 5, margin: 0.3, seed: 1}
        model: {depth: 2, width: 8, init: normal, init_scale: 0.1}
        steps: {{steps}}
        checkpoint_every: 5
        grid:
          optimizer:
            - {algorithm: gd, lr: 0.05}
            - {algorithm: sign, lr: 0.001, step: normalized}
            - {algorithm: coordinate, lr: 0.05}
            - {algorithm: adam, lr: 0.01, eps: 0}
          seed: [{{string.Join(", ", Enumerable.Range(0, seeds))}}]
        """, "test.yaml");

    public static StartStudy Start(Sweep sweep) =>
        new(sweep.Study, sweep.Description, sweep.MaxRetries, sweep.Trials.Select(t => new TrialDefinition(t.Id, TrialJson.Serialize(t.Spec))).ToList());

    public static Checkpoint At(long step) => new(step, 1.0 / (step + 1), 1, null, 1, 1, 1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0);
}
