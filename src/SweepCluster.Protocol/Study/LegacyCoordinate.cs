using System.Text.Json.Nodes;

namespace SweepCluster.Protocol.Study;

/// <summary>Coordinate descent specs journaled before <c>kink_hold</c> was a key, made explicit.</summary>
public static class LegacyCoordinate
{
    public const string Key = "kink_hold";

    /// <summary>The spec with <c>kink_hold</c> set; every other key and number stays as written.</summary>
    public static string WithKinkHold(string specJson, bool hold)
    {
        var spec = JsonNode.Parse(specJson)!.AsObject();
        spec[Key] = hold;
        return spec.ToJsonString();
    }
}
