using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SweepCluster.Trials;

/// <summary>The one JSON form of trial specs and checkpoints, shared by files, logs and the store.</summary>
public static class TrialJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions(indented: false);

    public static JsonSerializerOptions Indented { get; } = CreateOptions(indented: true);

    /// <summary>
    /// The canonical form that ids are computed from: like <see cref="Options"/>, except that a property
    /// declared with a default value (an optional constructor parameter) is left out while it has that
    /// value. Every field a trial spec had when ids were first computed is a required parameter, so it is
    /// always written and those ids never change; a field added later as an optional parameter changes no
    /// existing id until a sweep sets it to something else.
    /// </summary>
    private static JsonSerializerOptions IdOptions { get; } = CreateOptions(indented: false, omitOptionalDefaults: true);

    private static JsonSerializerOptions CreateOptions(bool indented, bool omitOptionalDefaults = false)
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
        var resolver = new DefaultJsonTypeInfoResolver();
        if (omitOptionalDefaults)
        {
            resolver.Modifiers.Add(OptionalDefaults.Omit);
        }
        options.TypeInfoResolver = resolver;
        options.MakeReadOnly();
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Expected a {typeof(T).Name}, found null.");

    /// <summary>The JSON a value's id is computed from (see <see cref="IdOptions"/>).</summary>
    public static string CanonicalForm<T>(T value) => JsonSerializer.Serialize(value, IdOptions);

    /// <summary>A stable id: the same resolved configuration always gets the same id.</summary>
    public static string StableId(TrialSpec spec)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalForm(spec)));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }
}
