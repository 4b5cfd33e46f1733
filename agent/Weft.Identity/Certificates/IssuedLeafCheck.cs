using System.Security.Cryptography.X509Certificates;

namespace Weft.Identity;

/// <summary>What a CA's answer must satisfy before its leaf is used: it names exactly the identity asked for, for our key.</summary>
internal static class IssuedLeafCheck
{
    public static void Check(SpiffeId id, X509Certificate2 leaf, ReadOnlySpan<byte> expectedSubjectPublicKeyInfo)
    {
        IReadOnlyList<string>? uris;
        try
        {
            uris = SubjectAltNames.Uris(leaf);
        }
        catch (CryptographicException e)
        {
            throw new CertificateAuthorityException($"the CA returned a certificate for {id} with a malformed SubjectAlternativeName", e);
        }

        if (uris is not { Count: 1 } || !string.Equals(uris[0], id.ToString(), StringComparison.Ordinal))
        {
            var named = uris is null or { Count: 0 } ? "no URI SAN" : string.Join(", ", uris);
            throw new CertificateAuthorityException($"the CA returned a certificate for {named} when {id} was asked for; rejected");
        }

        if (!leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expectedSubjectPublicKeyInfo))
        {
            throw new CertificateAuthorityException($"the CA returned a certificate for {id} whose public key is not the one in our CSR; rejected");
        }
    }

    /// <summary>The SubjectPublicKeyInfo a CSR carries (its signature was made by us, so it is not checked here).</summary>
    public static byte[] CsrSubjectPublicKeyInfo(byte[] csrDer) =>
        CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation)
            .PublicKey.ExportSubjectPublicKeyInfo();
}
