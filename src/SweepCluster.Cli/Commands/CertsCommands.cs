using System.ComponentModel;
using Spectre.Console.Cli;
using SweepCluster.Cluster.Security;
using SweepCluster.Trials.Yaml;

namespace SweepCluster.Cli.Commands;

/// <summary>`certs init`: the cluster's private certificate authority.</summary>
public sealed class CertsInitCommand : Command<CertsInitCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--dir <DIR>")]
        [Description("Where to write ca.crt and ca.key (default: certs). Keep ca.key off the nodes.")]
        public string Dir { get; init; } = "certs";

        [CommandOption("--name <NAME>")]
        [Description("The authority's name (default: sweepcluster).")]
        public string Name { get; init; } = "sweepcluster";

        [CommandOption("--days <N>")]
        [Description("How long the authority is valid (default 3650).")]
        public int Days { get; init; } = 3650;

        public override Spectre.Console.ValidationResult Validate()
        {
            return CertsPaths.CheckName("--name", Name, spaces: true) ?? CertsPaths.CheckDays(Days) ?? Spectre.Console.ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (certificate, key) = CertsPaths.Authority(settings.Dir);
        CertsPaths.RefuseExisting(certificate, key);
        Directory.CreateDirectory(settings.Dir);
        using var authority = CertificateAuthority.Create(settings.Name, TimeSpan.FromDays(settings.Days));
        authority.Save(certificate, key);
        Console.WriteLine($"Wrote the cluster authority: {certificate} (public) and {key} (secret: it issues certificates; keep it off the nodes).");
        Console.WriteLine($"Next, one bundle per node and per client: sweepcluster certs issue NAME... --dir {settings.Dir}");
        return ExitCodes.Success;
    }
}

/// <summary>`certs issue NAME...`: a bundle per node or client, signed by the cluster's authority; none is written if any exists.</summary>
public sealed class CertsIssueCommand : Command<CertsIssueCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<NAMES>")]
        [Description("The nodes or clients to make bundles for, one each (letters, digits, '.', '-', '_').")]
        public string[] Names { get; init; } = [];

        [CommandOption("--dir <DIR>")]
        [Description("Where ca.crt and ca.key are, and where NAME.p12 is written (default: certs).")]
        public string Dir { get; init; } = "certs";

        [CommandOption("--out <FILE>")]
        [Description("Where to write the bundle, for a single NAME (default: DIR/NAME.p12).")]
        public string? Out { get; init; }

        [CommandOption("--days <N>")]
        [Description("How long the certificate is valid (default 825, never past the authority).")]
        public int Days { get; init; } = 825;

        public override Spectre.Console.ValidationResult Validate()
        {
            if (Out is not null && Names.Length != 1)
            {
                return Spectre.Console.ValidationResult.Error("--out names one file: give a single NAME with it");
            }
            return Names.Select(name => CertsPaths.CheckName("NAME", name, spaces: false)).FirstOrDefault(error => error is not null)
                ?? CertsPaths.CheckDays(Days) ?? Spectre.Console.ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (certificate, key) = CertsPaths.Authority(settings.Dir);
        var bundles = settings.Names.Select(name => settings.Out ?? Path.Combine(settings.Dir, name + ".p12")).ToArray();
        CertsPaths.RefuseExisting(bundles);
        using var authority = LoadAuthority(certificate, key);
        foreach (var (name, bundle) in settings.Names.Zip(bundles))
        {
            CertificateAuthority.SaveBundle(authority.Issue(name, TimeSpan.FromDays(settings.Days)), bundle);
            Console.WriteLine($"Wrote {bundle} (secret: the key of '{name}' and the cluster's authority certificate).");
        }
        Console.WriteLine($"Use one with: --tls {bundles[0]}   (or SWEEPCLUSTER_TLS={bundles[0]}, or `tls: {bundles[0]}` in node settings)");
        return ExitCodes.Success;
    }

    private static CertificateAuthority LoadAuthority(string certificate, string key)
    {
        try
        {
            return CertificateAuthority.Load(certificate, key);
        }
        catch (CredentialsException e)
        {
            throw new ConfigException([new ConfigError(certificate, 0, 0, "", e.Message)]);
        }
    }
}

internal static class CertsPaths
{
    public static (string Certificate, string Key) Authority(string dir) => (Path.Combine(dir, "ca.crt"), Path.Combine(dir, "ca.key"));

    /// <summary>Names become certificate subjects: letters, digits, '.', '-', '_' (and spaces in the authority's), so none can inject into them.</summary>
    public static Spectre.Console.ValidationResult? CheckName(string what, string name, bool spaces) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' || (spaces && c == ' '))
            ? null
            : Spectre.Console.ValidationResult.Error($"{what} must be 1 to 64 letters, digits, {(spaces ? "spaces, " : "")}'.', '-' or '_', found '{name}'");

    public static Spectre.Console.ValidationResult? CheckDays(int days) =>
        days is < 1 or > 36500 ? Spectre.Console.ValidationResult.Error($"--days must be between 1 and 36500, found {days}") : null;

    /// <summary>A certificate file is never overwritten: replacing an authority would lock every issued node out.</summary>
    public static void RefuseExisting(params string[] paths)
    {
        foreach (var path in paths.Where(File.Exists))
        {
            throw new ConfigException([new ConfigError(path, 0, 0, "", "already exists; it is not overwritten (move it away first)")]);
        }
    }
}
