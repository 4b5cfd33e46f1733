using System.Security.Cryptography.X509Certificates;

namespace Weft.Identity;

/// <summary>Key pairs and PKCS#10 requests for workload certificates, shaped as Istio's CA expects them.</summary>
public static class SigningRequest
{
    /// <summary>A fresh ECDSA P-256 key held in process memory only; nothing is written to disk.</summary>
    public static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>
    /// DER PKCS#10 signed with SHA-256: an empty subject and the SPIFFE ID as the only SAN, a critical
    /// URI (critical because the subject is empty, RFC 5280 4.2.1.6).
    /// </summary>
    public static byte[] Create(SpiffeId id, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (id.IsEmpty)
        {
            throw new ArgumentException("an empty SPIFFE ID cannot be certified", nameof(id));
        }

        var request = new CertificateRequest(new X500DistinguishedName([0x30, 0x00]), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(SubjectAltNames.UriExtension(id.ToString(), critical: true));
        return request.CreateSigningRequest();
    }

    public static string ToPem(byte[] csrDer) => PemEncoding.WriteString("CERTIFICATE REQUEST", csrDer);
}
