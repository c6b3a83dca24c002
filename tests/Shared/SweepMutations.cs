using CsCheck;

namespace SweepCluster.Tests.Shared;

/// <summary>
/// Sweep files made hostile: the repository's own sweeps with a few edits each (tokens inserted, spans
/// deleted, duplicated or replaced, lines swapped, text cut short), the tokens chosen from what breaks
/// YAML readers and number parsers.
/// </summary>
internal static class SweepMutations
{
    private static readonly string[] Tokens =
    [
        "*a", "&a ", "<<: *a\n", "[", "]", "{", "}", ": ", "- ", "\n", "\t", "'", "\"", "#", "? ", "|\n", ">\n", "!!binary ", "!custom ",
        "%YAML 1.1\n", "---\n", "...\n", "\r", "\u0000", "é", "🙂", "\u202e",
        "2147483648", "-2147483649", "-1", "0", "1e309", "-1e-400", ".nan", ".inf", "0x1F", "1_000", "null", "~", "true", "",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "{a: {a: {a: {a: {a: {a: {a: {a: {a: {a: 1}}}}}}}}}}",
        "grid:\n  seed: [0, 1, 2]\n", "random: {samples: 5, lr: {loguniform: [0.001, 0.1]}}\n", "random: {samples: 99999999999}\n",
        "model: {width: 99999999}\n", "model: {depth: 0}\n", "steps: 2000000000\ncheckpoint_every: 1\n", "dataset: {kind: csv, path: /dev/zero}\n",
        "dataset: {kind: synthetic, n: 2000000000, dim: 2000000000}\n", "max_retries: -5\n", "study: ../../etc\n", "torch_threads: 100000\n",
    ];

    private enum Edit { Insert, Delete, Duplicate, Replace, SwapLines, Truncate }

    private sealed record Mutation(Edit Edit, double Where, int Length, string Token);

    private static readonly Gen<Mutation> AnyMutation =
        Gen.Select(Gen.Enum<Edit>(), Gen.Double[0, 1], Gen.Int[1, 60], Gen.OneOf(Tokens), (e, w, l, t) => new Mutation(e, w, l, t));

    /// <summary>One of <paramref name="corpus"/> with one to four edits.</summary>
    public static Gen<string> Of(IReadOnlyList<string> corpus) =>
        Gen.Select(Gen.Int[0, corpus.Count - 1], AnyMutation.Array[1, 4], (i, edits) => edits.Aggregate(corpus[i], Apply));

    private static string Apply(string text, Mutation m)
    {
        // Edits fall between characters, never inside a surrogate pair: half a character is not text a
        // user could write, and the file could not even be saved as UTF-8.
        var at = Boundary(text, (int)(m.Where * text.Length));
        var length = Boundary(text, Math.Min(at + m.Length, text.Length)) - at;
        switch (m.Edit)
        {
            case Edit.Insert:
                return text.Insert(at, m.Token);
            case Edit.Delete:
                return text.Remove(at, length);
            case Edit.Duplicate:
                return text.Insert(at, text.Substring(at, length));
            case Edit.Replace:
                return text.Remove(at, length).Insert(at, m.Token);
            case Edit.SwapLines:
                var lines = text.Split('\n');
                var (a, b) = ((int)(m.Where * lines.Length) % lines.Length, m.Length % lines.Length);
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return string.Join('\n', lines);
            default:
                return text[..at];
        }
    }

    private static int Boundary(string text, int at) =>
        at > 0 && at < text.Length && char.IsLowSurrogate(text[at]) && char.IsHighSurrogate(text[at - 1]) ? at - 1 : at;

    /// <summary>The sweep files in the repository's sweeps/ folder.</summary>
    public static IReadOnlyList<string> RepositorySweeps([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Directory.GetFiles(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "sweeps"), "*.yaml").Order().Select(File.ReadAllText).ToList();
}
