using System.Reflection;
using System.Text.Json.Serialization.Metadata;

namespace SweepCluster.Trials;

/// <summary>Leaves out of a record's JSON each property that still has its constructor parameter's default value.</summary>
internal static class OptionalDefaults
{
    public static void Omit(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        var parameters = info.Type.GetConstructors().MaxBy(c => c.GetParameters().Length)?.GetParameters() ?? [];
        foreach (var property in info.Properties)
        {
            var name = (property.AttributeProvider as MemberInfo)?.Name;
            if (parameters.FirstOrDefault(p => p.Name == name) is { HasDefaultValue: true } parameter)
            {
                var defaultValue = parameter.DefaultValue;
                property.ShouldSerialize = (_, value) => !IsDefault(value, defaultValue);
            }
        }
    }

    private static bool IsDefault(object? value, object? defaultValue) =>
        Equals(value, defaultValue)
        // An enum parameter's default comes back as its underlying number.
        || (value is Enum && defaultValue is not null && Equals(Convert.ChangeType(value, Enum.GetUnderlyingType(value.GetType()), System.Globalization.CultureInfo.InvariantCulture), defaultValue));
}
