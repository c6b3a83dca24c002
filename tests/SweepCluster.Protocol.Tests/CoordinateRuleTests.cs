using System.Text;
using System.Text.Json.Nodes;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Tests;

/// <summary>
/// A coordinate trial resumes under the rule it ran with. Journals that record no engine version are read
/// by the time of each event: trials added before the kink hold ran plain coordinate descent, trials added
/// while it was implicit ran with it, and a plain trial that a build with the hold trained again has a
/// trajectory of both, so it fails with the reason instead of being continued under either.
/// </summary>
public sealed class CoordinateRuleTests
{
    private const string FixtureName = "events.coordinate-rules.jsonl";

    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", FixtureName);

    private static List<IStudyEvent> Journal() =>
        File.ReadLines(Fixture).Where(l => l.Length > 0).Select(line =>
        {
            var row = JsonNode.Parse(line)!.AsObject();
            return (IStudyEvent)ProtocolJson.FromBytes(Encoding.UTF8.GetBytes(row["payload"]!.ToJsonString()), row["manifest"]!.GetValue<string>());
        }).ToList();

    private static StudyState Replay() => Journal().Aggregate(StudyState.Empty("coordinate-rules"), (s, e) => s.Apply(e));

    private static (string A, string B, string C, string D, string E) Ids()
    {
        CoordinateRuleHistory.Events(out var a, out var b, out var c, out var d, out var e);
        return (a, b, c, d, e);
    }

    private static bool? KinkHold(string specJson) => TrialJson.Deserialize<TrialSpec>(specJson).KinkHold;

    [Fact]
    public void The_fixture_is_what_the_history_writes()
    {
        // The fixture is the history's events as stored; it must read back to the same events.
        var events = CoordinateRuleHistory.Events(out _, out _, out _, out _, out _);
        Assert.Equal(events.Select(e => Encoding.UTF8.GetString(ProtocolJson.ToBytes(e))), Journal().Select(e => Encoding.UTF8.GetString(ProtocolJson.ToBytes(e))));
    }

    [Fact]
    public void Events_of_builds_without_engine_versions_are_written_back_without_one()
    {
        foreach (var line in File.ReadLines(Fixture).Where(l => l.Length > 0))
        {
            var row = JsonNode.Parse(line)!.AsObject();
            var message = ProtocolJson.FromBytes(Encoding.UTF8.GetBytes(row["payload"]!.ToJsonString()), row["manifest"]!.GetValue<string>());
            Assert.True(JsonNode.DeepEquals(row["payload"], JsonNode.Parse(ProtocolJson.ToBytes(message))), line);
        }
    }

    [Fact]
    public void Each_journaled_coordinate_trial_gets_the_rule_it_ran_with()
    {
        var state = Replay();
        var (a, b, c, d, e) = Ids();
        Assert.Equal(false, state.Trials[b].LegacyKinkHold);
        Assert.Equal(true, state.Trials[c].LegacyKinkHold);
        Assert.False(KinkHold(state.Trials[b].RunnableSpecJson));
        Assert.True(KinkHold(state.Trials[c].RunnableSpecJson));
        // The journaled specs stay as written: ids and configurations are computed from them.
        Assert.Null(KinkHold(state.Trials[b].SpecJson));
        Assert.Equal(CoordinateRuleHistory.LegacySpec(1), state.Trials[b].SpecJson);
        Assert.Equal(ReplicateConfig.Id(CoordinateRuleHistory.LegacySpec(1)), state.Trials[b].ConfigurationId);
        // Today's trials say their rule themselves.
        Assert.Null(state.Trials[d].LegacyKinkHold);
        Assert.False(KinkHold(state.Trials[d].RunnableSpecJson));
        Assert.True(KinkHold(state.Trials[e].RunnableSpecJson));
        Assert.All(new[] { b, c, d, e }, id => Assert.Null(state.Trials[id].Unresumable));
        Assert.Contains("mixes the two rules, so it resumes under neither", state.Trials[a].Unresumable);
        Assert.Contains("from step 20", state.Trials[a].Unresumable);
    }

    [Fact]
    public void A_trial_of_both_rules_fails_saying_why_and_the_others_are_assigned_with_their_rule()
    {
        var state = Replay();
        var (a, b, c, d, e) = Ids();
        var now = new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);
        var refused = state.Assign(new RequestWork("coordinate-rules", 8, "node-b"), now);
        var failed = Assert.IsType<TrialFailed>(Assert.Single(refused));
        Assert.Equal(a, failed.TrialId);
        Assert.False(failed.WillRetry);
        Assert.Contains("resumes under neither", failed.Reason);
        state = refused.Aggregate(state, (s, ev) => s.Apply(ev));
        Assert.Equal(TrialStatus.Failed, state.Trials[a].Status);
        Assert.DoesNotContain(a, state.Pending.Values);

        var assigned = state.Assign(new RequestWork("coordinate-rules", 8, "node-b"), now).Cast<TrialAssigned>().ToList();
        Assert.Equal(new[] { b, c, d, e }.Order(), assigned.Select(x => x.TrialId).Order());
        Assert.All(assigned, x => Assert.Equal(EngineVersion.Current, x.Engine));
        state = assigned.Aggregate(state, (s, ev) => s.Apply(ev));
        // An attempt assigned by today's build does not make a legacy trial unresumable.
        Assert.All(new[] { b, c }, id => Assert.Null(state.Trials[id].Unresumable));
    }

    [Fact]
    public void Trials_a_study_adds_from_now_on_record_the_engine_version()
    {
        var start = StudyState.Empty("s").Start(new StartStudy("s", null, 2, [new TrialDefinition("t1", CoordinateRuleHistory.LegacySpec(0))]), DateTimeOffset.UnixEpoch);
        Assert.All(start.Events.OfType<TrialsAdded>(), x => Assert.Equal(EngineVersion.Current, x.Engine));
        // A coordinate spec without kink_hold in a journal that records versions has no rule to go by.
        var state = start.Events.Aggregate(StudyState.Empty("s"), (s, ev) => s.Apply(ev));
        Assert.Contains("does not say kink_hold", state.Trials["t1"].Unresumable);
    }

    [Fact]
    public void A_seed_the_scheduler_adds_to_a_configuration_journaled_before_the_key_runs_its_configurations_rule()
    {
        // The scheduler derives more seeds from the configuration's journaled spec, which says no kink_hold.
        var scheduler = new Scheduling.SchedulerSettings(Scheduling.SchedulerKind.Asha, "margin_l2", Scheduling.Goal.Max, 10, 3, 10, 0.95);
        var legacy = new TrialDefinition("legacy-seed-0", CoordinateRuleHistory.LegacySpec(0));
        var added = new TrialDefinition("new-seed-1", CoordinateRuleHistory.LegacySpec(1));
        var state = new IStudyEvent[]
        {
            new StudyCreated("s", null, 2, CoordinateRuleHistory.DuringHold, scheduler),
            new TrialsAdded([legacy], CoordinateRuleHistory.DuringHold),
            new TrialsAdded([added], CoordinateRuleHistory.DuringHold.AddDays(5), EngineVersion.Current),
        }.Aggregate(StudyState.Empty("s"), (s, e) => s.Apply(e));
        Assert.Equal(state.Trials["legacy-seed-0"].ConfigurationId, state.Trials["new-seed-1"].ConfigurationId);
        Assert.Equal(true, state.Trials["new-seed-1"].LegacyKinkHold);
        Assert.Null(state.Trials["new-seed-1"].Unresumable);
    }

    [Fact]
    public void An_event_without_a_version_is_read_by_its_time()
    {
        Assert.Equal(EngineVersion.PlainCoordinate, EngineVersion.Of(null, EngineVersion.ImplicitKinkHoldSince.AddSeconds(-1)));
        Assert.Equal(EngineVersion.ImplicitKinkHold, EngineVersion.Of(null, EngineVersion.ImplicitKinkHoldSince));
        Assert.Equal(EngineVersion.Current, EngineVersion.Of(EngineVersion.Current, CoordinateRuleHistory.BeforeHold));
    }

    internal static void Write(string folder) =>
        File.WriteAllLines(Path.Combine(folder, FixtureName), CoordinateRuleHistory.Events(out _, out _, out _, out _, out _).Select(e => new JsonObject
        {
            ["manifest"] = ProtocolManifests.Of(e.GetType()),
            ["payload"] = JsonNode.Parse(ProtocolJson.ToBytes(e)),
        }.ToJsonString()));
}
