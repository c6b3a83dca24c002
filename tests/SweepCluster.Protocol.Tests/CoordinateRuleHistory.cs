using System.Text.Json.Nodes;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Tests;

/// <summary>
/// A study of coordinate descent trials journaled across the three rules: plain coordinate descent before the
/// kink hold (2026-11-30), the implicit hold (2026-12-03), and today's explicit <c>kink_hold</c> key with
/// engine versions in the journal. The source of the fixture <c>events.coordinate-rules.jsonl</c>; events
/// of the first two eras are written as those builds wrote them, without an engine version.
/// </summary>
internal static class CoordinateRuleHistory
{
    public static readonly DateTimeOffset BeforeHold = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset DuringHold = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A coordinate spec as it was journaled before kink_hold existed, with the seed given.</summary>
    public static string LegacySpec(int seed) => JsonNode.Parse(Spec(seed, null))!.ToJsonString();

    private static string Spec(int seed, bool? kinkHold) => TrialJson.Serialize(new TrialSpec(
        new SyntheticDatasetSpec(30, 5, 0.3, 1, 0), new ModelSpec(2, 8, InitKind.Normal, 0.01), LossKind.Exponential, Reduction.Sum,
        AlgorithmKind.Coordinate, 0.05, StepForm.Dual, LrSchedule.Constant, null, null, null, 40, 10, new StopSpec(0, null), seed, 1, kinkHold));

    private static TrialDefinition Definition(string spec) => new(TrialJson.StableId(TrialJson.Deserialize<TrialSpec>(spec)), spec);

    /// <summary>Trial ids: a, journaled plain and trained again under the hold; b, plain and never trained under the hold; c, journaled under the hold; d and e, today's plain and held.</summary>
    public static List<IStudyEvent> Events(out string a, out string b, out string c, out string d, out string e)
    {
        var (da, db, dc) = (Definition(LegacySpec(0)), Definition(LegacySpec(1)), Definition(LegacySpec(2)));
        var (dd, de) = (Definition(Spec(3, false)), Definition(Spec(3, true)));
        (a, b, c, d, e) = (da.TrialId, db.TrialId, dc.TrialId, dd.TrialId, de.TrialId);
        var later = new DateTimeOffset(2026, 12, 7, 20, 0, 0, TimeSpan.Zero);
        return
        [
            new StudyCreated("coordinate-rules", "coordinate descent across its rules", 2, BeforeHold),
            new TrialsAdded([da, db], BeforeHold),
            new TrialAssigned(a, 1, "node-a", null, BeforeHold),
            new TrialAssigned(b, 1, "node-a", null, BeforeHold),
            new TrialStateSaved(a, 1, 20),
            new TrialReleased(a, 1, "interrupted", BeforeHold.AddMinutes(1)),
            new TrialReleased(b, 1, "interrupted", BeforeHold.AddMinutes(1)),
            new StudyInterrupted(BeforeHold.AddMinutes(1)),
            // Resumed by a build with the implicit hold: trial a trains on from its plain state, held.
            new StudyResumed(DuringHold),
            new TrialsAdded([dc], DuringHold),
            new TrialAssigned(a, 2, "node-a", 20, DuringHold),
            new TrialReleased(a, 2, "interrupted", DuringHold.AddMinutes(1)),
            new StudyInterrupted(DuringHold.AddMinutes(1)),
            // Today's build.
            new StudyResumed(later),
            new TrialsAdded([dd, de], later, EngineVersion.Current),
        ];
    }
}
