using System.Reflection;
using System.Text.Json;
using SweepCluster.Trials;

namespace SweepCluster.Protocol.Metrics;

/// <summary>One checkpoint field: its contract name, whether it may be missing, which way is better.</summary>
public sealed record Metric(string Name, Type ClrType, bool Nullable, Better Better, bool MeaningfulOnceFit, bool Summarized, Func<Checkpoint, double?> Read)
{
    /// <summary>The step: a whole number that is never missing (counts such as holds are nullable and stored as numbers).</summary>
    public bool IsInteger => ClrType == typeof(long);

    /// <summary>The value if it is a finite number, else null.</summary>
    public double? Finite(Checkpoint checkpoint) => Read(checkpoint) is { } v && double.IsFinite(v) ? v : null;

    /// <summary>
    /// The best of the trials' latest values (largest, or smallest where smaller is better); a diverged or
    /// stalled trial's last value is not a result and is left out. Null when no trial has one.
    /// </summary>
    public double? Best(IEnumerable<(TrialEnd? End, Checkpoint? Latest)> trials)
    {
        var values = trials.Where(t => t.End.IsResult() && t.Latest is not null).Select(t => Finite(t.Latest!)).OfType<double>().ToList();
        return values.Count == 0 ? null : Better == Better.Smaller ? values.Min() : values.Max();
    }
}

/// <summary>
/// The checkpoint's metrics, in the order of <see cref="Checkpoint"/>'s fields, read from their
/// <see cref="MetricAttribute"/> declarations. Everything that lists, stores, ranks or decides on a
/// checkpoint field iterates this.
/// </summary>
public static class MetricRegistry
{
    private static readonly ConstructorInfo Constructor = typeof(Checkpoint).GetConstructors().MaxBy(c => c.GetParameters().Length)!;

    public static IReadOnlyList<Metric> All { get; } = Constructor.GetParameters().Select(Describe).ToList();

    private static readonly Dictionary<string, Metric> ByName = All.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Name).ToList();

    /// <summary>The metrics a result can be ranked or a study scheduled by (the step and norms are not).</summary>
    public static IEnumerable<Metric> Rankable => All.Where(m => m.Better != Better.Neither);

    /// <summary>The metrics shown at a glance (the run's summary, the live display), in registry order.</summary>
    public static IReadOnlyList<Metric> Summarized { get; } = All.Where(m => m.Summarized).ToList();

    public static Metric? Find(string name) => ByName.GetValueOrDefault(name);

    public static Metric Get(string name) =>
        Find(name) ?? throw new ArgumentException($"unknown metric '{name}'; the metrics are {string.Join(", ", Names)}", nameof(name));

    /// <summary>The checkpoint's values in registry order, as the store writes them (null where missing).</summary>
    public static object?[] Values(Checkpoint checkpoint) =>
        All.Select(m => m.IsInteger ? (object?)checkpoint.Step : m.Read(checkpoint)).ToArray();

    /// <summary>A checkpoint from values in registry order; a missing value of a field that cannot be missing (a store written before the field existed) is NaN.</summary>
    public static Checkpoint Create(IReadOnlyList<double?> values)
    {
        var arguments = new object?[All.Count];
        for (var i = 0; i < All.Count; i++)
        {
            var metric = All[i];
            arguments[i] = metric.IsInteger ? (object)(long)(values[i] ?? 0)
                : metric.ClrType == typeof(long?) ? (values[i] is { } count ? (object)(long)count : null)
                : metric.Nullable ? values[i]
                : values[i] ?? double.NaN;
        }
        return (Checkpoint)Constructor.Invoke(arguments);
    }

    private static Metric Describe(ParameterInfo parameter)
    {
        var declaration = parameter.GetCustomAttribute<MetricAttribute>()
            ?? throw new InvalidOperationException($"{nameof(Checkpoint)}.{parameter.Name} has no [{nameof(MetricAttribute)}]");
        var property = typeof(Checkpoint).GetProperty(parameter.Name!)!;
        var type = property.PropertyType;
        var nullable = Nullable.GetUnderlyingType(type) is not null;
        Func<Checkpoint, double?> read = (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(long) && nullable => NullableCount(property),
            var t when t == typeof(long) => Reader<long>(property, v => v),
            var t when t == typeof(double) && nullable => property.GetMethod!.CreateDelegate<Func<Checkpoint, double?>>(),
            var t when t == typeof(double) => Reader<double>(property, v => v),
            _ => throw new InvalidOperationException($"{nameof(Checkpoint)}.{parameter.Name} is a {type.Name}; a metric is a number"),
        };
        return new Metric(JsonNamingPolicy.SnakeCaseLower.ConvertName(parameter.Name!), type, nullable, declaration.Better, declaration.MeaningfulOnceFit, declaration.Summarized, read);
    }

    private static Func<Checkpoint, double?> NullableCount(PropertyInfo property)
    {
        var get = property.GetMethod!.CreateDelegate<Func<Checkpoint, long?>>();
        return c => get(c);
    }

    private static Func<Checkpoint, double?> Reader<T>(PropertyInfo property, Func<T, double> toDouble)
    {
        var get = property.GetMethod!.CreateDelegate<Func<Checkpoint, T>>();
        return c => toDouble(get(c));
    }
}
