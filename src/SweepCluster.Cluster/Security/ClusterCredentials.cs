using System.Net.Security;
using Akka.Event;
using System.Security.Cryptography.X509Certificates;

namespace SweepCluster.Cluster.Security;

/// <summary>
/// What a node shows and what it trusts on the cluster's connections: its own certificate with its private
/// key, and the cluster's certificate authority. Both come from one PKCS#12 bundle that `certs issue`
/// writes, so a node cannot be given a key from one cluster and the trust of another.
/// </summary>
public sealed class ClusterCredentials
{
    private ClusterCredentials(X509Certificate2 node, X509Certificate2 authority, string source)
    {
        Node = node;
        Authority = authority;
        Source = source;
    }

    /// <summary>This node's certificate, with its private key.</summary>
    public X509Certificate2 Node { get; }

    /// <summary>The cluster's certificate authority: a peer is accepted only if its certificate chains to it.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>Where the credentials came from (a file path, or "ephemeral"), for logs and errors.</summary>
    public string Source { get; }

    public static ClusterCredentials Create(X509Certificate2 node, X509Certificate2 authority, string source)
    {
        if (!node.HasPrivateKey)
        {
            throw new CredentialsException($"{source}: the node certificate has no private key");
        }
        return new ClusterCredentials(node, authority, source);
    }

    /// <summary>Reads a bundle written by `certs issue`: the node's key and certificate, and the authority's certificate.</summary>
    public static ClusterCredentials Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new CredentialsException($"{path}: no such file (make one with `sweepcluster certs issue NAME`)");
        }
        X509Certificate2Collection certificates;
        try
        {
            certificates = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password: null, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new CredentialsException($"{path}: not a node bundle written by `sweepcluster certs issue` ({e.Message})");
        }
        var node = certificates.FirstOrDefault(c => c.HasPrivateKey);
        var authority = certificates.FirstOrDefault(c => !c.HasPrivateKey && CertificateAuthority.IsAuthority(c));
        if (node is null || authority is null)
        {
            throw new CredentialsException($"{path}: a node bundle holds the node's key and certificate and the cluster's authority certificate; this one lacks {(node is null ? "the node's key" : "the authority certificate")}");
        }
        if (!ChainsTo(node, authority))
        {
            throw new CredentialsException($"{path}: the node certificate was not issued by the authority in the same bundle");
        }
        return new ClusterCredentials(node, authority, path);
    }

    /// <summary>
    /// Accepts a peer only if it presents a certificate that chains to this cluster's authority. The peer's
    /// host name is not checked: nodes are reached by IP addresses and container names that a certificate
    /// made once cannot list, and the authority is private to the cluster.
    /// </summary>
    public bool AcceptPeer(X509Certificate2? certificate, X509Chain? chain, string remotePeer, SslPolicyErrors errors, ILoggingAdapter log)
    {
        if (certificate is null)
        {
            log.Warning("Refused a connection from {0}: it presented no certificate", remotePeer);
            return false;
        }
        if (ChainsTo(certificate, Authority))
        {
            return true;
        }
        log.Warning("Refused a connection from {0}: its certificate ({1}) was not issued by this cluster's authority", remotePeer, certificate.Subject);
        return false;
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (!chain.Build(certificate))
        {
            return false;
        }
        var root = chain.ChainElements[^1].Certificate;
        return root.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span);
    }
}

public sealed class CredentialsException(string message) : Exception(message);
