using SweepCluster.Query.ReadModel;

namespace SweepCluster.Query.Results;

/// <summary>A study's trials from the read model with their flattened keys: where results, curves and plot all start.</summary>
public sealed class StudyTrials
{
    private StudyTrials(string studyId, IReadOnlyList<TrialRow> trials)
    {
        StudyId = studyId;
        Trials = trials;
        Parameters = ParameterTable.Flatten(trials);
    }

    public string StudyId { get; }

    public IReadOnlyList<TrialRow> Trials { get; }

    /// <summary>Each trial's keys, a row per trial in the order of <see cref="Trials"/>.</summary>
    public ParameterTable Parameters { get; }

    /// <summary>Loads the study; an unknown study is a <see cref="QueryException"/>.</summary>
    public static async Task<StudyTrials> LoadAsync(ReadModelReader reader, string studyId, CancellationToken cancellation)
    {
        var trials = await reader.TrialsAsync(studyId, cancellation);
        if (trials.Count == 0 && (await reader.StudiesAsync(studyId, cancellation)).Count == 0)
        {
            throw new QueryException($"there is no study '{studyId}'");
        }
        return new StudyTrials(studyId, trials);
    }

    /// <summary>Throws for the first key no trial of the study has, listing the keys it does have.</summary>
    public void RequireKeys(IEnumerable<string> keys)
    {
        foreach (var key in keys.Where(k => !Parameters.HasKey(k)))
        {
            throw new QueryException($"unknown key '{key}' in study '{StudyId}'; its keys are {string.Join(", ", Parameters.Keys.Order(StringComparer.Ordinal))}");
        }
    }

    /// <summary>The positions of the trials every filter matches.</summary>
    public IEnumerable<int> Matching(IReadOnlyList<Filter> where)
    {
        RequireKeys(where.Select(w => w.Key));
        for (var i = 0; i < Trials.Count; i++)
        {
            if (where.All(w => Parameters.Value(i, w.Key).Matches(w.Value)))
            {
                yield return i;
            }
        }
    }

    /// <summary>Trial <paramref name="index"/>'s values of <paramref name="keys"/>.</summary>
    public ParameterValue[] Values(int index, IReadOnlyList<string> keys) => Parameters.Values(index, keys);

    public static void RequireMetrics(IEnumerable<string> metrics)
    {
        foreach (var metric in metrics.Where(m => !CheckpointFields.Exists(m)))
        {
            throw new QueryException($"unknown metric '{metric}'; the metrics are {string.Join(", ", CheckpointFields.Names)}");
        }
    }
}
