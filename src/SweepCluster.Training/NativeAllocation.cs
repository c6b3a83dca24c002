using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using SweepCluster.Trials;

namespace SweepCluster.Training;

/// <summary>
/// A network too large for the memory at hand: libtorch's allocator fails with a native stack trace in
/// its message. This turns that into bad input naming the model's keys, with no trace.
/// </summary>
public static partial class NativeAllocation
{
    public static T Guard<T>(ModelSpec model, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ExternalException e) when (e.Message.Contains("can't allocate memory", StringComparison.Ordinal))
        {
            var bytes = Requested().Match(e.Message) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            throw new ModelTooLargeException(model, bytes);
        }
    }

    [GeneratedRegex(@"tried to allocate (\d+) bytes")]
    private static partial Regex Requested();
}

public sealed class ModelTooLargeException(ModelSpec model, long bytes) : Exception(
    $"model: a network of width {model.Width} and depth {model.Depth} needed {(bytes > 0 ? $"{bytes:N0} bytes" : "more memory")} at once, more than this machine could allocate; make model.width or model.depth smaller");
