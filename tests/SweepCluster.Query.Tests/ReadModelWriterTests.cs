using SweepCluster.Protocol;
using SweepCluster.Cluster.Study;
using SweepCluster.Protocol.Study;
using SweepCluster.Query.ReadModel;
using SweepCluster.Trials;

namespace SweepCluster.Query.Tests;

public sealed class ReadModelWriterTests : IDisposable
{
    private readonly StudyEvents _events = new();

    public void Dispose() => _events.Dispose();

    private static (TrialSpec, Checkpoint[]) Trial(AlgorithmKind algorithm, int seed, params double[] margins) =>
        (StudyEvents.Spec(algorithm, 0.1, seed), margins.Select((m, i) => StudyEvents.Checkpoint(i * 10, m)).ToArray());

    [Fact]
    public async Task Projects_studies_trials_and_every_checkpoint()
    {
        _events.Study("s", Trial(AlgorithmKind.Gd, 0, 0.1, 0.2, 0.3), Trial(AlgorithmKind.Sign, 0, 0.05, 0.1));
        var offset = await _events.ProjectAsync();

        Assert.Equal(_events.Events.Count, offset);
        var study = Assert.Single(await _events.Reader.StudiesAsync());
        Assert.Equal(StudyPhase.Finished, study.Phase);
        var trials = await _events.Reader.TrialsAsync("s");
        Assert.Equal([AlgorithmKind.Gd, AlgorithmKind.Sign], trials.Select(t => t.Algorithm));
        Assert.All(trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        Assert.Equal([3L, 2L], trials.Select(t => t.CheckpointCount));
        Assert.Equal(0.3, trials[0].Latest!.MarginL2);
        var rows = await StudyEvents.ListAsync(_events.Reader.CheckpointsAsync("s", null));
        Assert.Equal([0L, 10, 20], rows.Where(r => r.TrialId == trials[0].TrialId).Select(r => r.Checkpoint.Step));
        Assert.Equal([0L, 10], rows.Where(r => r.TrialId == trials[1].TrialId).Select(r => r.Checkpoint.Step));
        Assert.Equal(rows.OrderBy(r => r.TrialId, StringComparer.Ordinal).ThenBy(r => r.Checkpoint.Step), rows);
    }

    [Fact]
    public async Task Applying_the_same_events_again_changes_nothing()
    {
        _events.Study("s", Trial(AlgorithmKind.Gd, 0, 0.1, 0.2, 0.3));
        var offset = await _events.ProjectAsync();
        // A second projection (another node, or a query catching up) that read the same events late.
        var again = await _events.Writer.ApplyAsync(_events.Events, 0);

        Assert.Equal(offset, again);
        var trial = Assert.Single(await _events.Reader.TrialsAsync("s"));
        Assert.Equal(3, trial.CheckpointCount);
        Assert.Equal(3, (await StudyEvents.ListAsync(_events.Reader.CheckpointsAsync("s", null))).Count);
    }

    [Fact]
    public async Task A_projection_behind_a_rebuilt_read_model_must_start_again()
    {
        _events.Study("s", Trial(AlgorithmKind.Gd, 0, 0.1));
        var offset = await _events.ProjectAsync();
        await using (var connection = await Cluster.Storage.StoreConnections.OpenAsync(_events.Store))
        {
            await ReadModelSchema.DropAsync(connection);
        }

        await Assert.ThrowsAsync<ProjectionOffsetMovedException>(() => _events.Writer.ApplyAsync(_events.Events, offset));
        Assert.Equal(offset, await _events.ProjectAsync());
        Assert.Single(await _events.Reader.TrialsAsync("s"));
    }

    [Fact]
    public async Task Retries_and_releases_move_a_trial_back_to_pending_and_failure_is_final()
    {
        var spec = StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 0);
        var id = TrialJson.StableId(spec);
        var at = DateTimeOffset.UnixEpoch;
        _events.Add("s", new StudyCreated("s", null, 1, at))
            .Add("s", new TrialsAdded([new TrialDefinition(id, TrialJson.Serialize(spec))], at))
            .Add("s", new TrialAssigned(id, 1, "a", null, at))
            .Add("s", new TrialReleased(id, 1, "node lost", at));
        await _events.ProjectAsync();
        Assert.Equal(TrialStatus.Pending, Assert.Single(await _events.Reader.TrialsAsync("s")).Status);

        _events.Add("s", new TrialAssigned(id, 2, "b", null, at))
            .Add("s", new TrialFailed(id, 2, "boom", WillRetry: false, at))
            .Add("s", new StudyInterrupted(at));
        await _events.ProjectAsync();
        var trial = Assert.Single(await _events.Reader.TrialsAsync("s"));
        Assert.Equal((TrialStatus.Failed, 2, 1, "boom"), (trial.Status, trial.Attempt, trial.Failures, trial.Reason));
        Assert.Equal(StudyPhase.Interrupted, Assert.Single(await _events.Reader.StudiesAsync()).Phase);
    }

    [Fact]
    public async Task A_read_model_from_before_config_json_gets_the_column_and_still_answers()
    {
        _events.Study("s", Trial(AlgorithmKind.Gd, 0, 0.1, 0.2), Trial(AlgorithmKind.Gd, 1, 0.3));
        await _events.ProjectAsync();
        var projected = await _events.Reader.TrialsAsync("s");
        Assert.All(projected, t => Assert.Equal(ReplicateConfig.Of(t.SpecJson), t.ConfigJson));
        Assert.Equal(projected[0].ConfigJson, projected[1].ConfigJson);
        await using (var connection = await Cluster.Storage.StoreConnections.OpenAsync(_events.Store))
        {
            // The trials table as an older version made it.
            await Sql.ExecuteAsync(connection, null, $"ALTER TABLE {ReadModelSchema.Trials} DROP COLUMN config_json", CancellationToken.None);
        }

        // What a query does first: bring the read model up to date, its tables included; reading creates nothing.
        await Projection.ReadModelSync.EnsureCurrentAsync(_events.Store);
        var reader = new ReadModelReader(_events.Store);
        var trials = await reader.TrialsAsync("s");

        Assert.All(trials, t => Assert.Null(t.ConfigJson));
        var table = await new Results.ResultsQuery(reader).RunAsync(
            new Results.ResultsRequest("s", new CheckpointAt.Last(), ["seed"], ["margin_l2"], [], null));
        Assert.Equal([0.2, 0.3], table.Groups.Select(g => g.Metrics["margin_l2"].Mean!.Value));
    }
}

/// <summary>The read side shows each trial's spec as it ran: coordinate trials journaled before kink_hold was a key, with the rule they ran.</summary>
public sealed class LegacyCoordinateProjectionTests : IDisposable
{
    private readonly StudyEvents _events = new();

    public void Dispose() => _events.Dispose();

    [Fact]
    public async Task Coordinate_trials_journaled_before_the_key_are_read_with_the_rule_they_ran_and_others_as_stored()
    {
        var coordinate = StudyEvents.Spec(AlgorithmKind.Coordinate, 0.1, 0);
        var gd = StudyEvents.Spec(AlgorithmKind.Gd, 0.1, 0);
        var definition = (TrialSpec s) => new TrialDefinition(TrialJson.StableId(s), TrialJson.Serialize(s));
        _events.Add("before", new StudyCreated("before", null, 2, new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)))
            .Add("before", new TrialsAdded([definition(coordinate), definition(gd)], new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)))
            .Add("during", new StudyCreated("during", null, 2, new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero)))
            .Add("during", new TrialsAdded([definition(coordinate)], new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero)))
            .Add("today", new StudyCreated("today", null, 2, new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero)))
            .Add("today", new TrialsAdded([definition(coordinate with { KinkHold = true })], new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero), EngineVersion.Current));
        await _events.ProjectAsync();

        async Task<TrialSpec> Spec(string study, AlgorithmKind algorithm) =>
            TrialJson.Deserialize<TrialSpec>((await _events.Reader.TrialsAsync(study)).Single(t => t.Algorithm == algorithm).SpecJson);
        Assert.False((await Spec("before", AlgorithmKind.Coordinate)).KinkHold);
        Assert.True((await Spec("during", AlgorithmKind.Coordinate)).KinkHold);
        Assert.True((await Spec("today", AlgorithmKind.Coordinate)).KinkHold);
        Assert.Equal(TrialJson.Serialize(gd), (await _events.Reader.TrialsAsync("before")).Single(t => t.Algorithm == AlgorithmKind.Gd).SpecJson);
    }
}
