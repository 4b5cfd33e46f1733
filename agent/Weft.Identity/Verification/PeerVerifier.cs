using System.Security.Cryptography.X509Certificates;

namespace Weft.Identity;

/// <summary>
/// Checks a TLS peer the way the mesh trusts it: its chain ends at a root of our trust bundle (and nowhere else:
/// no system roots, no revocation or AIA fetching), and it is an X.509-SVID of the expected trust domain.
/// </summary>
public static class PeerVerifier
{
    /// <summary>
    /// For a <c>RemoteCertificateValidationCallback</c>: <paramref name="sslChain"/> is the one SslStream built, whose
    /// extra store holds the intermediates the peer sent. SslStream's own verdict is ignored; this one replaces it.
    /// </summary>
    public static PeerVerificationResult Verify(
        X509Certificate? certificate,
        X509Chain? sslChain,
        IEnumerable<X509Certificate2> trustBundle,
        string trustDomain,
        IReadOnlyCollection<SpiffeId>? acceptedIdentities = null,
        DateTimeOffset? now = null)
    {
        if (certificate is null)
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.NoCertificate, "the peer presented no certificate");
        }

        var peer = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var presented = new List<X509Certificate2>();
        if (sslChain is not null)
        {
            presented.AddRange(sslChain.ChainPolicy.ExtraStore);
            presented.AddRange(sslChain.ChainElements.Skip(1).Select(e => e.Certificate));
        }

        return Verify(peer, presented, trustBundle, trustDomain, acceptedIdentities, now);
    }

    /// <summary>
    /// Verifies <paramref name="peer"/> with the intermediates it presented. <paramref name="acceptedIdentities"/>
    /// null accepts any identity of <paramref name="trustDomain"/>; <paramref name="now"/> defaults to the system clock.
    /// </summary>
    public static PeerVerificationResult Verify(
        X509Certificate2? peer,
        IEnumerable<X509Certificate2>? intermediates,
        IEnumerable<X509Certificate2> trustBundle,
        string trustDomain,
        IReadOnlyCollection<SpiffeId>? acceptedIdentities = null,
        DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(trustBundle);
        ArgumentException.ThrowIfNullOrEmpty(trustDomain);
        if (peer is null)
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.NoCertificate, "the peer presented no certificate");
        }

        var chainFailure = CheckChain(peer, intermediates ?? [], trustBundle, now ?? DateTimeOffset.UtcNow);
        if (chainFailure is not null)
        {
            return chainFailure;
        }

        if (peer.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true })
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.NotALeaf, $"the peer presented a CA certificate ('{peer.Subject}')");
        }

        return CheckIdentity(peer, trustDomain, acceptedIdentities);
    }

    private static PeerVerificationResult? CheckChain(X509Certificate2 peer, IEnumerable<X509Certificate2> intermediates, IEnumerable<X509Certificate2> trustBundle, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        policy.CustomTrustStore.AddRange(trustBundle.ToArray());
        policy.ExtraStore.AddRange(intermediates.ToArray());
        if (policy.CustomTrustStore.Count == 0)
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.UntrustedIssuer, "the trust bundle is empty: no peer can be trusted");
        }

        if (chain.Build(peer))
        {
            return null;
        }

        var statuses = chain.ChainElements.SelectMany(e => e.ChainElementStatus).Select(s => s.Status)
            .Concat(chain.ChainStatus.Select(s => s.Status)).Aggregate(X509ChainStatusFlags.NoError, (a, b) => a | b);
        const X509ChainStatusFlags untrusted = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain
            | X509ChainStatusFlags.NotSignatureValid | X509ChainStatusFlags.Cyclic;
        if ((statuses & untrusted) != 0)
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.UntrustedIssuer,
                $"the peer's certificate (issuer '{peer.Issuer}') does not chain to the trust bundle: {Describe(chain)}");
        }

        if (statuses.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            var at = now.UtcDateTime;
            return at < peer.NotBefore.ToUniversalTime()
                ? PeerVerificationResult.Fail(PeerVerificationFailure.NotYetValid, $"the peer's certificate is valid only from {peer.NotBefore.ToUniversalTime():u} (now {at:u})")
                : PeerVerificationResult.Fail(PeerVerificationFailure.Expired, at > peer.NotAfter.ToUniversalTime()
                    ? $"the peer's certificate expired at {peer.NotAfter.ToUniversalTime():u} (now {at:u})"
                    : $"a CA certificate in the peer's chain is not valid at {at:u}");
        }

        return PeerVerificationResult.Fail(PeerVerificationFailure.InvalidChain, $"the peer's certificate chain is invalid: {Describe(chain)}");
    }

    private static PeerVerificationResult CheckIdentity(X509Certificate2 peer, string trustDomain, IReadOnlyCollection<SpiffeId>? accepted)
    {
        IReadOnlyList<string>? uris;
        try
        {
            uris = SubjectAltNames.Uris(peer);
        }
        catch (CryptographicException)
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.NoSpiffeId, "the peer's SubjectAlternativeName is malformed");
        }

        if (uris is null or { Count: 0 })
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.NoSpiffeId, "the peer's certificate has no URI SAN (no SPIFFE ID)");
        }

        if (uris.Count > 1)
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.MultipleUriSans,
                $"the peer's certificate has {uris.Count} URI SANs ({string.Join(", ", uris)}); an SVID has exactly one");
        }

        if (!uris[0].StartsWith("spiffe://", StringComparison.OrdinalIgnoreCase))
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.NoSpiffeId, $"the peer's URI SAN '{uris[0]}' is not a SPIFFE ID");
        }

        if (!SpiffeId.TryParse(uris[0], out var id, out var error))
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.MalformedSpiffeId, $"the peer's SPIFFE ID is malformed: {error}");
        }

        if (!string.Equals(id.TrustDomain, trustDomain, StringComparison.Ordinal))
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.WrongTrustDomain,
                $"the peer {id} is in trust domain '{id.TrustDomain}', not '{trustDomain}'");
        }

        if (accepted is not null && !accepted.Contains(id))
        {
            return PeerVerificationResult.Fail(PeerVerificationFailure.UnexpectedIdentity,
                $"the peer is {id}, expected {string.Join(" or ", accepted)}");
        }

        return PeerVerificationResult.Ok(id);
    }

    private static string Describe(X509Chain chain) =>
        string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}").Distinct());
}
