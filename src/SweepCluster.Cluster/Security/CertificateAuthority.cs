using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SweepCluster.Cluster.Security;

/// <summary>
/// A cluster's private certificate authority: it issues one certificate per node and per client, and
/// the nodes accept nothing else. ECDSA P-256 keeps keys small and handshakes cheap.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private CertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The authority's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <param name="name">The cluster's name; the authority is "NAME certificate authority", a subject no node
    /// name (no spaces) can repeat: a node whose subject equals its issuer's would look self-signed.</param>
    public static CertificateAuthority Create(string name, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name} certificate authority"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        return new CertificateAuthority(request.CreateSelfSigned(now, now + validity));
    }

    /// <summary>Reads an authority written by <see cref="Save"/>: its certificate and key as PEM.</summary>
    public static CertificateAuthority Load(string certificatePath, string keyPath)
    {
        foreach (var path in new[] { certificatePath, keyPath })
        {
            if (!File.Exists(path))
            {
                throw new CredentialsException($"{path}: no such file (make the cluster's authority with `sweepcluster certs init`)");
            }
        }
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (!IsAuthority(certificate))
            {
                throw new CredentialsException($"{certificatePath}: not a certificate authority");
            }
            return new CertificateAuthority(certificate);
        }
        catch (CryptographicException e)
        {
            throw new CredentialsException($"{certificatePath}, {keyPath}: not an authority written by `sweepcluster certs init` ({e.Message})");
        }
    }

    public static bool IsAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(e => e.CertificateAuthority);

    /// <summary>A certificate for one node or client, usable both to accept and to open connections.</summary>
    public ClusterCredentials Issue(string name, TimeSpan validity)
    {
        if (new X500DistinguishedName($"CN={name}").Name == Certificate.SubjectName.Name)
        {
            throw new CredentialsException($"'{name}' is the authority's own name; a node needs another");
        }
        // Not disposed: the issued certificate holds this key for as long as the node uses it.
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName(name);
        request.CertificateExtensions.Add(sans.Build());
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = now + validity < Certificate.NotAfter ? now + validity : Certificate.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Certificate, now, notAfter, serial);
        var node = issued.CopyWithPrivateKey(key);
        return ClusterCredentials.Create(node, X509CertificateLoader.LoadCertificate(Certificate.RawData), "ephemeral");
    }

    /// <summary>Writes the authority's certificate (public) and its key (readable by the owner only) as PEM.</summary>
    public void Save(string certificatePath, string keyPath)
    {
        using var key = Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the authority has no private key");
        SecretFile.Write(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, Certificate.ExportCertificatePem());
    }

    /// <summary>Writes a node bundle (PKCS#12: its key and certificate, and the authority's certificate), readable by the owner only.</summary>
    public static void SaveBundle(ClusterCredentials credentials, string path)
    {
        var bundle = new X509Certificate2Collection { credentials.Node, credentials.Authority };
        SecretFile.Write(path, bundle.Export(X509ContentType.Pkcs12)!);
    }

    public void Dispose() => Certificate.Dispose();
}
