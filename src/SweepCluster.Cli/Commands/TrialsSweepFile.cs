using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SweepCluster.Query.ReadModel;

namespace SweepCluster.Cli.Commands;

/// <summary>
/// A sweep file that recreates a study's trials exactly: one grid axis whose entries are the trials'
/// resolved specs. The store keeps resolved trials, not the file a study was submitted with; this file
/// gives the same trial ids, so running it into the same store adds nothing, and into another recreates them;
/// coordinate trials journaled before <c>kink_hold</c> was a key are written with the rule they ran, so theirs get new ids.
/// </summary>
internal static class TrialsSweepFile
{
    public static string Write(StudyRow study, IEnumerable<TrialRow> trials)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("# The study's trials as they were resolved, one grid entry each; `sweepcluster run` on this file");
        yaml.AppendLine("# recreates them with the same trial ids (early-stopping settings are not included).");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"study: {study.StudyId}");
        if (study.Description is { } description)
        {
            // A JSON string is a YAML string: quoted and escaped alike.
            yaml.AppendLine(CultureInfo.InvariantCulture, $"description: {JsonSerializer.Serialize(description)}");
        }
        yaml.AppendLine(CultureInfo.InvariantCulture, $"max_retries: {study.MaxRetries}");
        yaml.AppendLine("grid:");
        yaml.AppendLine("  trial:");
        foreach (var trial in trials)
        {
            var entry = Entry(trial.SpecJson);
            // A sweep file's coordinate trial without kink_hold would run plain coordinate descent, whatever this one ran.
            if (entry["algorithm"]?.GetValue<string>() == "coordinate" && !entry.ContainsKey("kink_hold"))
            {
                throw new InvalidDataException($"trial {trial.TrialId} is coordinate descent whose spec does not say kink_hold, and the journal does not say which rule it ran; no sweep file can recreate it");
            }
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    - {entry.ToJsonString()}");
        }
        return yaml.ToString();
    }

    /// <summary>A spec's JSON as the keys a sweep file sets: unset keys left out, Adam's settings at the top level as a sweep writes them.</summary>
    private static JsonObject Entry(string specJson)
    {
        var spec = WithoutNulls(JsonNode.Parse(specJson)!.AsObject());
        if (spec["adam"] is JsonObject adam)
        {
            spec.Remove("adam");
            foreach (var (name, value) in adam.ToList())
            {
                adam.Remove(name);
                spec[name] = value;
            }
        }
        return spec;
    }

    private static JsonObject WithoutNulls(JsonObject node)
    {
        foreach (var (name, value) in node.ToList())
        {
            if (value is null)
            {
                node.Remove(name);
            }
            else if (value is JsonObject inner)
            {
                WithoutNulls(inner);
            }
        }
        return node;
    }
}
