using System.Security.Cryptography.X509Certificates;

namespace Weft.Identity;

/// <summary>What a CA must establish about a CSR before certifying its key.</summary>
internal static class CsrCheck
{
    /// <summary>
    /// The CSR's public key, once its signature verifies, its key is acceptable, and its only SAN is the URI
    /// <paramref name="id"/>. Anything else in the CSR is ignored: the CA writes its own extensions.
    /// </summary>
    public static PublicKey PublicKeyFor(SpiffeId id, byte[] csrDer)
    {
        CertificateRequest request;
        try
        {
            // Extensions are loaded only to read the SAN; none is copied into the certificate.
            request = CertificateRequest.LoadSigningRequest(
                csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException e)
        {
            throw new CertificateAuthorityException($"the CSR for {id} is malformed or its signature does not verify: {e.Message}", e);
        }

        CheckKey(id, request.PublicKey);
        var san = request.CertificateExtensions.FirstOrDefault(e => e.Oid?.Value == SubjectAltNames.Oid)
            ?? throw new CertificateAuthorityException($"the CSR for {id} has no SubjectAlternativeName; it must carry the SPIFFE ID as its URI SAN");
        IReadOnlyList<string> uris;
        int others;
        try
        {
            uris = SubjectAltNames.Uris(san.RawData, out others);
        }
        catch (CryptographicException e)
        {
            throw new CertificateAuthorityException($"the CSR for {id} has a malformed SubjectAlternativeName", e);
        }

        if (uris.Count != 1 || others != 0 || !string.Equals(uris[0], id.ToString(), StringComparison.Ordinal))
        {
            var named = uris.Count == 0 ? "no URI" : string.Join(", ", uris);
            throw new CertificateAuthorityException(
                $"the CSR names {named}{(others > 0 ? $" and {others} other name(s)" : "")} but the certificate was requested for {id}; refusing to sign");
        }

        return request.PublicKey;
    }

    private static void CheckKey(SpiffeId id, PublicKey key)
    {
        var ok = key.Oid.Value switch
        {
            CaSigner.EcOid => key.GetECDsaPublicKey() is { KeySize: 256 or 384 } ec && Dispose(ec),
            CaSigner.RsaOid => key.GetRSAPublicKey() is { KeySize: >= 2048 } rsa && Dispose(rsa),
            _ => false,
        };
        if (!ok)
        {
            throw new CertificateAuthorityException($"the CSR for {id} has an unacceptable key ({key.Oid.FriendlyName ?? key.Oid.Value}); use ECDSA P-256/P-384 or RSA of 2048 bits or more");
        }
    }

    private static bool Dispose(IDisposable d)
    {
        d.Dispose();
        return true;
    }
}
