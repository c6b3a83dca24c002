using System.Text.Json;
using System.Text.Json.Nodes;

namespace SweepCluster.Protocol.Study;

/// <summary>
/// Trials of one study must be comparable: a study is extended with more seeds or more hyperparameter
/// values, not with another dataset, model or loss. Adding such trials is refused, saying what differs.
/// </summary>
public static class StudyComparability
{
    private static readonly string[] Fixed = ["dataset", "model", "loss", "reduction"];

    public static string? Check(IEnumerable<string> existingSpecs, IEnumerable<string> newSpecs)
    {
        var existing = existingSpecs.Select(Parse).ToList();
        if (existing.Count == 0)
        {
            return null;
        }
        var problems = new List<string>();
        foreach (var key in Fixed)
        {
            var known = existing.Select(s => s[key]?.ToJsonString() ?? "null").ToHashSet();
            foreach (var spec in newSpecs.Select(Parse))
            {
                var value = spec[key]?.ToJsonString() ?? "null";
                if (!known.Contains(value))
                {
                    problems.Add($"{key} is {value}, the study's trials have {string.Join(" or ", known)}");
                    break;
                }
            }
        }
        return problems.Count == 0
            ? null
            : "the new trials are not comparable with the study's: " + string.Join("; ", problems) + ". Use another study name.";
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a trial spec must be a JSON object");
}
