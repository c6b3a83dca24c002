using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SweepCluster.Protocol.Study;

namespace SweepCluster.Protocol.Tests;

/// <summary>
/// Journals outlive the code that wrote them. The fixtures are events as SweepCluster wrote them (one
/// JSON line each: manifest and payload) and the state they make; every later version must read them
/// to the same state. Never edit a fixture to make a test pass: add a new version of the event instead.
/// </summary>
public sealed class GoldenFixtureTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static StudyState Replay(string file) =>
        File.ReadLines(Fixture(file)).Where(l => l.Length > 0).Select(line =>
        {
            var row = JsonNode.Parse(line)!.AsObject();
            return (IStudyEvent)ProtocolJson.FromBytes(Encoding.UTF8.GetBytes(row["payload"]!.ToJsonString()), row["manifest"]!.GetValue<string>());
        }).Aggregate(StudyState.Empty("golden"), (s, e) => s.Apply(e));

    private static JsonNode? StateJson(StudyState state) => JsonNode.Parse(ProtocolJson.ToBytes(state));

    [Fact]
    public void Todays_events_replay_to_the_recorded_state()
    {
        var replayed = Replay("events.v1.jsonl");
        var expected = JsonNode.Parse(File.ReadAllText(Fixture("state.v1.json")));
        Assert.True(JsonNode.DeepEquals(expected, StateJson(replayed)), $"replayed state differs:\n{StateJson(replayed)}");
        Assert.Contains(replayed.Trials.Values, t => t.Status == TrialStatus.Pruned);
    }

    [Fact]
    public void The_recorded_state_reads_back_as_a_snapshot()
    {
        var snapshot = (StudyState)ProtocolJson.FromBytes(File.ReadAllBytes(Fixture("state.v1.json")), ProtocolManifests.Of(typeof(StudyState)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(Fixture("state.v1.json"))), StateJson(snapshot)));
    }

    [Fact]
    public void Journals_written_under_type_names_before_manifests_were_explicit_still_replay()
    {
        // A FIFO study as the first releases stored it: manifests were CLR type names and StudyCreated had no scheduler.
        var replayed = Replay("events.type-names.jsonl");
        Assert.Equal(StudyPhase.Finished, replayed.Phase);
        Assert.Null(replayed.Scheduler);
        Assert.All(replayed.Trials.Values, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.Equal(3, replayed.Trials.Values.Single(t => t.Ordinal == 0).CheckpointCount);
    }

    [Fact]
    public void Every_recorded_event_is_written_back_as_it_was_read()
    {
        foreach (var line in File.ReadLines(Fixture("events.v1.jsonl")).Where(l => l.Length > 0))
        {
            var row = JsonNode.Parse(line)!.AsObject();
            var manifest = row["manifest"]!.GetValue<string>();
            var message = ProtocolJson.FromBytes(Encoding.UTF8.GetBytes(row["payload"]!.ToJsonString()), manifest);
            Assert.Equal(manifest, ProtocolManifests.Of(message.GetType()));
            Assert.True(JsonNode.DeepEquals(row["payload"], JsonNode.Parse(ProtocolJson.ToBytes(message))), line);
        }
    }

    [Fact]
    public void Every_protocol_type_has_one_manifest()
    {
        var types = typeof(IProtocolMessage).Assembly.GetTypes().Where(t => typeof(IProtocolMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
        Assert.All(types, t => Assert.NotNull(ProtocolManifests.Of(t)));
        var manifests = ProtocolManifests.Types.Select(ProtocolManifests.Of).ToList();
        Assert.Equal(manifests.Count, manifests.Distinct().Count());
    }

    internal static void Write(string folder)
    {
        var events = StudyHistory.Events();
        File.WriteAllLines(Path.Combine(folder, "events.v1.jsonl"), events.Select(e => new JsonObject
        {
            ["manifest"] = ProtocolManifests.Of(e.GetType()),
            ["payload"] = JsonNode.Parse(ProtocolJson.ToBytes(e)),
        }.ToJsonString()));
        var state = events.Aggregate(StudyState.Empty("golden"), (s, e) => s.Apply(e));
        File.WriteAllLines(Path.Combine(folder, "events.type-names.jsonl"), StudyHistory.FifoEvents().Select(e =>
        {
            var payload = JsonNode.Parse(ProtocolJson.ToBytes(e))!.AsObject();
            payload.Remove("scheduler");
            return new JsonObject { ["manifest"] = e.GetType().Name, ["payload"] = payload }.ToJsonString();
        }));
        File.WriteAllText(Path.Combine(folder, "state.v1.json"), JsonNode.Parse(ProtocolJson.ToBytes(state))!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
