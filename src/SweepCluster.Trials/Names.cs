using System.Text;

namespace SweepCluster.Trials;

internal static class Names
{
    /// <summary>LossScaled becomes loss-scaled: the spelling users write in YAML and on the command line.</summary>
    public static string Kebab(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (char.IsUpper(pascal[i]) && i > 0)
            {
                builder.Append('-');
            }
            builder.Append(char.ToLowerInvariant(pascal[i]));
        }
        return builder.ToString();
    }
}
