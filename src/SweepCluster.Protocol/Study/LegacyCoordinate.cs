using System.Text.Json.Nodes;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Study;

/// <summary>Coordinate descent specs journaled before <c>kink_hold</c> was a key, made explicit.</summary>
public static class LegacyCoordinate
{
    public const string Key = "kink_hold";

    /// <summary>
    /// The spec as it ran: a coordinate spec added under an engine version whose specs did not say
    /// <c>kink_hold</c> gets the rule that version implied written in; any other spec is returned as it is.
    /// </summary>
    public static string AsRun(string specJson, int engine)
    {
        if (EngineVersion.ImpliedKinkHold(engine) is not { } hold || !specJson.Contains("\"coordinate\"", StringComparison.Ordinal))
        {
            return specJson;
        }
        var spec = JsonNode.Parse(specJson)!.AsObject();
        return spec["algorithm"]?.GetValue<string>() == "coordinate" && !spec.ContainsKey(Key) ? Set(spec, hold) : specJson;
    }

    /// <summary>The spec with <c>kink_hold</c> set; every other key and number stays as written.</summary>
    public static string WithKinkHold(string specJson, bool hold) => Set(JsonNode.Parse(specJson)!.AsObject(), hold);

    private static string Set(JsonObject spec, bool hold)
    {
        spec[Key] = hold;
        return spec.ToJsonString();
    }
}
