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
            throw new QueryException(UnknownStudy.Message(studyId, (await reader.StudiesAsync(null, cancellation)).Select(s => s.StudyId).ToList()));
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

    /// <summary>
    /// The positions of the trials every filter matches. A selection that matches no trial is an error
    /// saying which filter emptied it and the values its key takes: an empty table would look like an answer.
    /// </summary>
    public IReadOnlyList<int> Matching(IReadOnlyList<Filter> where)
    {
        RequireKeys(where.Select(w => w.Key));
        var chosen = Enumerable.Range(0, Trials.Count).Where(i => where.All(w => w.Matches(Parameters.Value(i, w.Key)))).ToList();
        if (chosen.Count > 0 || where.Count == 0 || Trials.Count == 0)
        {
            return chosen;
        }
        foreach (var filter in where.Where(w => !Enumerable.Range(0, Trials.Count).Any(i => w.Matches(Parameters.Value(i, w.Key)))))
        {
            var values = Enumerable.Range(0, Trials.Count).Select(i => Parameters.Value(i, filter.Key)).Where(v => !v.IsMissing)
                .Distinct().Order(Comparer<ParameterValue>.Create(ParameterValue.Compare)).Select(v => v.Text).ToList();
            var shown = values.Count > 20 ? string.Join(", ", values.Take(20)) + $", ... ({values.Count} in all)" : string.Join(", ", values);
            throw new QueryException($"no trial of study '{StudyId}' has {filter}; {filter.Key} takes: {shown}");
        }
        throw new QueryException($"no trial of study '{StudyId}' matches {string.Join(" and ", where)} together, though each matches some trials");
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
