using SweepCluster.Trials;
using System.Reflection;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace SweepCluster.Cli;

/// <summary>
/// Spectre's parse errors in the user's terms: an unknown option names the command and the nearest option
/// it has; a value that does not convert names its option and the kind of value it takes.
/// </summary>
internal static partial class CommandLineErrors
{
    public static string Explain(string message, IReadOnlyList<string> args)
    {
        var command = CommandWords(args);
        if (UnknownOption().Match(message) is { Success: true } unknown)
        {
            var typed = unknown.Groups[1].Value;
            var known = Options(command);
            var nearest = NearestName.Of(typed, known);
            var suggestion = nearest is not null
                ? $"did you mean --{nearest}?"
                : known.Count > 0 ? $"its options: {string.Join(", ", known.Select(o => "--" + o))}" : "";
            return $"unknown option --{typed} for `sweepcluster {string.Join(' ', command)}`; {suggestion}".TrimEnd(' ', ';');
        }
        if (FailedConversion().Match(message) is { Success: true } conversion)
        {
            var value = conversion.Groups[1].Value;
            var index = args.ToList().LastIndexOf(value);
            var option = index > 0 && args[index - 1].StartsWith('-') ? args[index - 1] : "a value";
            var kind = conversion.Groups[2].Value.Contains("Int", StringComparison.Ordinal) || OptionType(command, option) is { } t && (t == typeof(int) || t == typeof(long))
                ? "a whole number"
                : "a number";
            return $"{option}: '{value}' is not {kind}";
        }
        return message;
    }

    /// <summary>The command as typed: the words before the first option or argument that is not a command.</summary>
    private static List<string> CommandWords(IReadOnlyList<string> args) =>
        args.Count > 1 && args[0] == "certs" ? [args[0], args[1]] : args.Take(1).ToList();

    private static Type? Settings(List<string> command)
    {
        var name = string.Concat(command.Select(w => char.ToUpperInvariant(w[0]) + w[1..])) + "Command";
        return typeof(CommandLineErrors).Assembly.GetTypes().FirstOrDefault(t => t.Name == name)?.GetNestedType("Settings");
    }

    private static List<string> Options(List<string> command) =>
        Settings(command)?.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .SelectMany(p => p.GetCustomAttribute<CommandOptionAttribute>()?.LongNames ?? [])
            .Distinct().Order().ToList() ?? [];

    private static Type? OptionType(List<string> command, string option)
    {
        var property = Settings(command)?.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => p.GetCustomAttribute<CommandOptionAttribute>()?.LongNames.Contains(option.TrimStart('-')) == true);
        return property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
    }

    [GeneratedRegex("^Unknown option '(.+)'")]
    private static partial Regex UnknownOption();

    [GeneratedRegex("^Failed to convert '(.*)' to (.+)\\.$")]
    private static partial Regex FailedConversion();
}
