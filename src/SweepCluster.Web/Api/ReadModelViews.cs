using System.Collections.Concurrent;
using SweepCluster.Query.ReadModel;
using SweepCluster.Query.Results;

namespace SweepCluster.Web.Api;

/// <summary>
/// Answers computed from the read model, kept while the read model does not change (its projection
/// version is the same): a page asked again, or by a second viewer, is served without reading the study again.
/// </summary>
internal sealed class ReadModelViews(ReadModelReader reader)
{
    private const int MostEntries = 256;

    private readonly ConcurrentDictionary<string, (long Version, Task<object> Value)> _answers = new(StringComparer.Ordinal);

    public ReadModelReader Reader => reader;

    /// <summary>A study's trials with their flattened keys: what every other answer about the study starts from, read once per version.</summary>
    public Task<StudyTrials> TrialsAsync(string study, CancellationToken cancellation) =>
        GetAsync($"trials/{study}", c => StudyTrials.LoadAsync(reader, study, c), cancellation);

    public async Task<T> GetAsync<T>(string key, Func<CancellationToken, Task<T>> compute, CancellationToken cancellation)
        where T : class
    {
        var version = await reader.VersionAsync(cancellation);
        if (_answers.TryGetValue(key, out var known) && known.Version == version && !known.Value.IsFaulted && !known.Value.IsCanceled)
        {
            return (T)await known.Value;
        }
        if (_answers.Count >= MostEntries)
        {
            _answers.Clear();
        }
        // Computed without the request's cancellation: a viewer who leaves should not spoil the answer for the next.
        var answer = ComputeAsync(compute);
        _answers[key] = (version, answer);
        return (T)await answer.WaitAsync(cancellation);
    }

    private static async Task<object> ComputeAsync<T>(Func<CancellationToken, Task<T>> compute) where T : class =>
        await compute(CancellationToken.None);
}
