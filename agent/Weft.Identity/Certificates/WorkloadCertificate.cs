using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Weft.Identity;

/// <summary>
/// One identity's certificate, ready for TLS: the leaf with its in-memory private key, the chain to send,
/// the roots to trust peers by, and a prebuilt context for <see cref="SslStream"/>.
/// </summary>
public sealed class WorkloadCertificate
{
    public WorkloadCertificate(SpiffeId identity, X509Certificate2 certificate, IReadOnlyList<X509Certificate2> intermediates, IReadOnlyList<X509Certificate2> trustBundle)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(intermediates);
        ArgumentNullException.ThrowIfNull(trustBundle);
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("a workload certificate needs its private key", nameof(certificate));
        }

        Identity = identity;
        Certificate = certificate;
        Intermediates = intermediates;
        TrustBundle = trustBundle;

        // offline: the chain comes from what the CA returned; nothing is fetched (no AIA, no OCSP stapling).
        CertificateContext = SslStreamCertificateContext.Create(certificate, [.. intermediates], offline: true);
    }

    public SpiffeId Identity { get; }

    /// <summary>The leaf, with its private key (ECDSA P-256, never written anywhere).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Certificates between the leaf and the root, sent along with the leaf (often none).</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }

    /// <summary>Roots that peers' certificates must chain to.</summary>
    public IReadOnlyList<X509Certificate2> TrustBundle { get; }

    public DateTimeOffset NotBefore => Certificate.NotBefore.ToUniversalTime();

    public DateTimeOffset NotAfter => Certificate.NotAfter.ToUniversalTime();

    /// <summary>
    /// For <see cref="SslServerAuthenticationOptions.ServerCertificateContext"/> (and
    /// <see cref="SslClientAuthenticationOptions.ClientCertificateContext"/>): leaf, key and chain in one.
    /// </summary>
    public SslStreamCertificateContext CertificateContext { get; }

    /// <summary>Joins a CA's answer with the key the CSR was made from.</summary>
    public static WorkloadCertificate FromIssued(SpiffeId identity, IssuedChain chain, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(key);

        // On Linux the copy holds its own reference to the OpenSSL key, which SslStream can sign with directly.
        return new WorkloadCertificate(identity, chain.Leaf.CopyWithPrivateKey(key), chain.Intermediates, chain.Roots);
    }

    public override string ToString() => $"{Identity} (valid until {NotAfter:u}, serial {Certificate.SerialNumber})";
}
