using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SweepCluster.Protocol.Study;

/// <summary>
/// A trial's spec with its seed set to 0: every replicate (seed) of a configuration has the same one, so a
/// query flattens each configuration once rather than each of its trials (10,000 trials of 100 configurations
/// are 100 specs to read).
/// </summary>
public static class ReplicateConfig
{
    public const string SeedKey = "seed";

    /// <summary>The spec with only its top-level seed changed; other text, numbers as written included, is kept as it is.</summary>
    public static string Of(string specJson)
    {
        var spec = JsonNode.Parse(specJson)!.AsObject();
        if (spec.ContainsKey(SeedKey))
        {
            spec[SeedKey] = 0;
        }
        return spec.ToJsonString();
    }

    /// <summary>A short stable name for the configuration a trial belongs to: shared by all its seeds.</summary>
    public static string Id(string specJson) =>
        "c" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Of(specJson))).AsSpan(0, 5));
}
