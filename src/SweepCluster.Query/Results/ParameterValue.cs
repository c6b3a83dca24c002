using System.Globalization;
using System.Text.Json;

namespace SweepCluster.Query.Results;

/// <summary>One resolved trial key's value: its text, and its number when it is one (numbers sort and compare as numbers).</summary>
public readonly record struct ParameterValue(string Text, double? Number)
{
    /// <summary>The trial has no such key, or it is null (adam's settings in a gd trial).</summary>
    public static readonly ParameterValue Missing = new("", null);

    public bool IsMissing => Number is null && Text.Length == 0;

    public static ParameterValue From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => new(element.GetRawText(), element.GetDouble()),
        JsonValueKind.String => new(element.GetString()!, null),
        JsonValueKind.Null => Missing,
        _ => new(element.GetRawText(), null),
    };

    /// <summary>What a user wrote in --where KEY=VALUE: 1e-3 equals 0.001, GD equals gd.</summary>
    public bool Matches(string text) => new Filter("", text).Matches(this);

    /// <summary>Numbers before text, numbers by value.</summary>
    public static int Compare(ParameterValue left, ParameterValue right) => (left.Number, right.Number) switch
    {
        ({ } a, { } b) => a.CompareTo(b),
        (not null, null) => -1,
        (null, not null) => 1,
        _ => string.CompareOrdinal(left.Text, right.Text),
    };

    public override string ToString() => Text;
}
