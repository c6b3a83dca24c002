using System.Text.Json;

namespace SweepCluster.Query.ReadModel;

/// <summary>Enum values as the read model stores them: the kebab-case spelling of the engine's JSON.</summary>
internal static class EnumNames
{
    public static string Of<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    public static T Parse<T>(string name) where T : struct, Enum => Enum.Parse<T>(name.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
}
