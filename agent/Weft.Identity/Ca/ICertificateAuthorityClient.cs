namespace Weft.Identity;

/// <summary>Something that turns a CSR for a workload identity into a certificate chain.</summary>
public interface ICertificateAuthorityClient
{
    /// <summary>
    /// Signs <paramref name="csrDer"/> (DER PKCS#10) for <paramref name="id"/> for about <paramref name="ttl"/>.
    /// Throws <see cref="CertificateAuthorityException"/> when the CA refuses or answers with something unusable.
    /// </summary>
    Task<IssuedChain> SignAsync(SpiffeId id, byte[] csrDer, TimeSpan ttl, CancellationToken ct);
}
