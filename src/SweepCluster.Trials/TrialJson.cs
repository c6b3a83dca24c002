using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SweepCluster.Trials;

/// <summary>The one JSON form of trial specs and checkpoints, shared by files, logs and the store.</summary>
public static class TrialJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions(indented: false);

    public static JsonSerializerOptions Indented { get; } = CreateOptions(indented: true);

    private static JsonSerializerOptions CreateOptions(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            WriteIndented = indented,
            // A diverging trial's last checkpoint can hold an infinite norm or loss; it must still be
            // stored and shown (as "Infinity"), never make the event that records it unwritable.
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver();
        options.MakeReadOnly();
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, found null.");

    /// <summary>A stable id: the same resolved configuration always gets the same id.</summary>
    public static string StableId(TrialSpec spec)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Serialize(spec)));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }
}
