using Akka.Actor;
using SweepCluster.Protocol;
using SweepCluster.Cluster.Serialization;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Trials;

namespace SweepCluster.Cluster.Tests;

public sealed class ProtocolSerializerTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public ValueTask InitializeAsync()
    {
        _system = ActorSystem.Create("serializer-test", ProtocolSerializer.Binding);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    public static TheoryData<IProtocolMessage> Messages() =>
    [
        new StudyCreated("s", "d", 2, DateTimeOffset.UnixEpoch),
        new TrialsAdded([new TrialDefinition("t", "{}")], DateTimeOffset.UnixEpoch),
        new TrialAssigned("t", 1, "node", 20, DateTimeOffset.UnixEpoch),
        new CheckpointsRecorded("t", 1, 0, [TestTrials.At(0), TestTrials.At(5) with { TestAccuracy = 0.5, MarginL1 = null }]),
        new TrialStateSaved("t", 1, 20),
        new TrialCompleted("t", 1, TrialEnd.Diverged, 7, null, TestTrials.At(5), "loss became NaN", DateTimeOffset.UnixEpoch),
        // Found in a real sweep: a diverging coordinate-descent trial's last checkpoint had an infinite l1 norm.
        new TrialCompleted("t", 1, TrialEnd.Diverged, 9, null, TestTrials.At(9) with { NormL1 = double.PositiveInfinity, Loss = double.NaN }, "loss became NaN", DateTimeOffset.UnixEpoch),
        new TrialFailed("t", 2, "boom", false, DateTimeOffset.UnixEpoch),
        new TrialReleased("t", 1, "interrupted", DateTimeOffset.UnixEpoch),
        new StudyInterrupted(DateTimeOffset.UnixEpoch),
        new StudyResumed(DateTimeOffset.UnixEpoch),
        new StudyFinished(DateTimeOffset.UnixEpoch),
        new StateComplete("s", "t", 1, 20, 15, 3, 150_000),
        new StateChunk("s", "t", 1, 20, 2, 3, [0, 1, 255]),
        new StoredStateChunk("s", "t", 1, 20, 0, 1, []),
        new StateUnavailable("s", "t", 2, 20, true, "no state"),
        new ConfirmAttempts("s", "node", [new AttemptRef("t", 1)]),
        new StopAttempt("s", "t", 1),
        new StageTrials("s", "sub", 3, [new TrialDefinition("t", "{}")]),
        new StartStudy("s", null, 2, [], "sub", 4),
        new RequestWork("s", 2, "node"),
        new BatchAck("s", "t", 1, 3),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips_through_the_protocol_serializer(IProtocolMessage message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<ProtocolSerializer>(serializer);
        var manifest = ((ProtocolSerializer)serializer).Manifest(message);
        var back = ((ProtocolSerializer)serializer).FromBinary(serializer.ToBinary(message), manifest);
        Assert.Equal(TrialJson.Serialize<object>(message), TrialJson.Serialize<object>(back));
        Assert.Equal(message.GetType(), back.GetType());
    }

    [Fact]
    public void The_coordinator_snapshot_round_trips()
    {
        var state = StudyState.Empty("s");
        var (events, _) = state.Start(TestTrials.Start(TestTrials.Sweep("s")), DateTimeOffset.UnixEpoch);
        state = events.Aggregate(state, (s, e) => s.Apply(e));
        var serializer = (ProtocolSerializer)_system.Serialization.FindSerializerFor(state);
        var back = (StudyState)serializer.FromBinary(serializer.ToBinary(state), serializer.Manifest(state));
        Assert.Equal(state.Trials.Count, back.Trials.Count);
        Assert.Equal(state.Pending, back.Pending);
        Assert.Equal(state.Trials.Values.OrderBy(t => t.Ordinal), back.Trials.Values.OrderBy(t => t.Ordinal));
    }
}
