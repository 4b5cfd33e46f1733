using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Weft.Identity;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>
/// A mesh CA for HBONE tests: the embedded CA with a root generated in a temporary directory,
/// issuing real SPIFFE certificates (P-256, URI SAN). <see cref="IssueAt"/> backdates an issue, for
/// expired certificates. Dispose removes the directory.
/// </summary>
internal sealed class TestMeshCa : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("weft-testca-").FullName;
    private readonly EmbeddedCertificateAuthority ca;

    public TestMeshCa(string trustDomain = "cluster.local")
    {
        TrustDomain = trustDomain;
        ca = EmbeddedCertificateAuthority.LoadOrGenerate(Path.Combine(dir, "ca"));
    }

    public string TrustDomain { get; }

    public System.Security.Cryptography.X509Certificates.X509Certificate2 Root => ca.Root;

    /// <summary>PEM files of the root, for independent peers (python, openssl).</summary>
    public string RootPemPath
    {
        get
        {
            var path = Path.Combine(dir, "root.pem");
            if (!File.Exists(path))
            {
                File.WriteAllText(path, Root.ExportCertificatePem());
            }

            return path;
        }
    }

    public SpiffeId Id(string ns, string sa) => SpiffeId.Create(TrustDomain, ns, sa);

    /// <summary>A certificate for <paramref name="id"/>, valid now for <paramref name="ttl"/> (1 h by default).</summary>
    public WorkloadCertificate Issue(SpiffeId id, TimeSpan? ttl = null)
    {
        using var key = SigningRequest.NewKey();
        var chain = ca.Sign(id, SigningRequest.Create(id, key), ttl ?? TimeSpan.FromHours(1));
        return WorkloadCertificate.FromIssued(id, chain, key);
    }

    /// <summary>A certificate issued as if at <paramref name="at"/> (in the past for an expired one).</summary>
    public WorkloadCertificate IssueAt(SpiffeId id, DateTimeOffset at, TimeSpan ttl)
    {
        using var backdated = EmbeddedCertificateAuthority.Load(
            Path.Combine(dir, "ca", "ca.crt"), Path.Combine(dir, "ca", "ca.key"), new FixedTime(at));
        using var key = SigningRequest.NewKey();
        var chain = backdated.Sign(id, SigningRequest.Create(id, key), ttl);
        return WorkloadCertificate.FromIssued(id, chain, key);
    }

    /// <summary>
    /// A certificate for <paramref name="id"/> issued by an intermediate of this CA that the certificate's chain leaves
    /// out, with an AIA extension pointing at <paramref name="caIssuers"/> for it: a peer that presents it invites a
    /// download. Returns the intermediate too (public part), for a test to serve.
    /// </summary>
    public (WorkloadCertificate Certificate, X509Certificate2 Intermediate) IssueUnderUnsentIntermediate(SpiffeId id, Uri caIssuers)
    {
        using var root = X509Certificate2.CreateFromPemFile(Path.Combine(dir, "ca", "ca.crt"), Path.Combine(dir, "ca", "ca.key"));
        var now = DateTimeOffset.UtcNow;

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ca = new CertificateRequest("CN=weft test intermediate", intermediateKey, HashAlgorithmName.SHA256);
        ca.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        ca.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        ca.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(ca.PublicKey, false));
        ca.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var intermediatePublic = ca.Create(root, root.NotBefore, now.AddHours(1), RandomNumberGenerator.GetBytes(16));
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var key = SigningRequest.NewKey();
        var leaf = new CertificateRequest(new X500DistinguishedName([0x30, 0x00]), key, HashAlgorithmName.SHA256);
        leaf.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leaf.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        leaf.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        leaf.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(leaf.PublicKey, false));
        leaf.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(intermediate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        leaf.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(null, [caIssuers.AbsoluteUri]));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(id.ToString()));
        leaf.CertificateExtensions.Add(san.Build(critical: true));
        var issued = leaf.Create(intermediate, intermediate.NotBefore, now.AddHours(1), RandomNumberGenerator.GetBytes(16));

        // No intermediates in the chain: the server sends its leaf alone.
        var certificate = WorkloadCertificate.FromIssued(id, new IssuedChain(issued, [], [Root]), key);
        return (certificate, X509CertificateLoader.LoadCertificate(intermediate.RawData));
    }

    /// <summary>Writes a certificate's chain and key as PEM files, for independent peers.</summary>
    public (string CertPath, string KeyPath) WritePem(WorkloadCertificate certificate, string name)
    {
        var certPath = Path.Combine(dir, name + ".crt");
        var keyPath = Path.Combine(dir, name + ".key");
        File.WriteAllText(certPath, certificate.Certificate.ExportCertificatePem() + string.Concat(certificate.Intermediates.Select(c => c.ExportCertificatePem())));
        File.WriteAllText(keyPath, certificate.Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }

    public void Dispose()
    {
        ca.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    private sealed class FixedTime(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }
}
