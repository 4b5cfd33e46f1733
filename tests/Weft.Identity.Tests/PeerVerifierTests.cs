using Microsoft.Extensions.Time.Testing;

namespace Weft.Identity.Tests;

/// <summary>Each way a peer certificate can be wrong gives its own reason.</summary>
public sealed class PeerVerifierTests : IDisposable
{
    private const string TrustDomain = "cluster.local";
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
    private readonly TempDir _dir = new();
    private readonly X509Certificate2 _root = TestPki.EcRoot();
    private readonly EmbeddedCertificateAuthority _ca;

    public PeerVerifierTests()
    {
        var (cert, key) = TestPki.WriteCa(_dir, _root, TestPki.Pkcs8KeyPem(_root));
        _ca = EmbeddedCertificateAuthority.Load(cert, key);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _root.Dispose();
        _dir.Dispose();
    }

    private static X509Certificate2 Issue(EmbeddedCertificateAuthority ca, SpiffeId id)
    {
        using var key = SigningRequest.NewKey();
        return ca.Sign(id, SigningRequest.Create(id, key), Ttl).Leaf;
    }

    private PeerVerificationResult Verify(X509Certificate2? peer, IReadOnlyCollection<SpiffeId>? accepted = null) =>
        PeerVerifier.Verify(peer, null, [_root], TrustDomain, accepted);

    [Fact]
    public void Accepts_a_leaf_of_the_trust_domain_and_returns_its_identity()
    {
        var result = Verify(Issue(_ca, TestPki.Web), [TestPki.Client, TestPki.Web]);
        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(TestPki.Web, result.PeerId);
    }

    [Fact]
    public void Certificate_from_another_ca_is_untrusted()
    {
        using var otherDir = new TempDir();
        using var other = EmbeddedCertificateAuthority.LoadOrGenerate(otherDir.Path);
        var foreign = Issue(other, TestPki.Web);
        Assert.Equal(PeerVerificationFailure.UntrustedIssuer, Verify(foreign).Failure);

        // Presenting its own root along does not help: only our bundle anchors trust.
        Assert.Equal(PeerVerificationFailure.UntrustedIssuer, PeerVerifier.Verify(foreign, [other.Root], [_root], TrustDomain).Failure);
        Assert.Equal(PeerVerificationFailure.UntrustedIssuer, PeerVerifier.Verify(foreign, null, [], TrustDomain).Failure);
    }

    [Fact]
    public void Other_trust_domain_is_refused()
    {
        var result = Verify(Issue(_ca, SpiffeId.Parse("spiffe://other.mesh/ns/shop/sa/web")));
        Assert.Equal(PeerVerificationFailure.WrongTrustDomain, result.Failure);
        Assert.Contains("'other.mesh'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expired_and_not_yet_valid_certificates_are_refused()
    {
        var (cert, key) = (_dir.File("ca.crt"), _dir.File("ca.key"));
        using var past = EmbeddedCertificateAuthority.Load(cert, key, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-3)));
        var expired = Verify(Issue(past, TestPki.Web));
        Assert.Equal(PeerVerificationFailure.Expired, expired.Failure);
        Assert.Contains("expired at", expired.Message, StringComparison.Ordinal);

        using var future = EmbeddedCertificateAuthority.Load(cert, key, new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(PeerVerificationFailure.NotYetValid, Verify(Issue(future, TestPki.Web)).Failure);

        // The same certificate is fine at a time inside its validity.
        var leaf = Issue(past, TestPki.Web);
        Assert.True(PeerVerifier.Verify(leaf, null, [_root], TrustDomain, null, DateTimeOffset.UtcNow.AddHours(-2.5)).Succeeded);
    }

    [Fact]
    public void No_san_no_uri_several_uris_or_a_malformed_spiffe_id_are_refused_with_their_reason()
    {
        Assert.Equal(PeerVerificationFailure.NoSpiffeId, Verify(TestPki.Leaf(_root)).Failure);
        Assert.Equal(PeerVerificationFailure.NoSpiffeId, Verify(TestPki.Leaf(_root, "https://web.shop/")).Failure);
        Assert.Equal(PeerVerificationFailure.MultipleUriSans,
            Verify(TestPki.Leaf(_root, TestPki.Web.ToString(), TestPki.Client.ToString())).Failure);
        Assert.Equal(PeerVerificationFailure.MalformedSpiffeId, Verify(TestPki.Leaf(_root, "spiffe://cluster.local/workload/web")).Failure);

        // Hand-made but well-formed: accepted, so the refusals above are for the names alone.
        Assert.True(Verify(TestPki.Leaf(_root, TestPki.Web.ToString())).Succeeded);
    }

    [Fact]
    public void Unexpected_identity_ca_certificate_and_missing_certificate_are_refused()
    {
        Assert.Equal(PeerVerificationFailure.UnexpectedIdentity, Verify(Issue(_ca, TestPki.Client), [TestPki.Web]).Failure);
        Assert.Equal(PeerVerificationFailure.NotALeaf, Verify(_root).Failure);
        Assert.Equal(PeerVerificationFailure.NoCertificate, Verify(null).Failure);
        Assert.Equal(PeerVerificationFailure.NoCertificate, PeerVerifier.Verify(null, (X509Chain?)null, [_root], TrustDomain).Failure);
    }

    [Fact]
    public void Leaf_needs_its_intermediate_to_reach_the_root()
    {
        using var intermediate = TestPki.Intermediate(_root);
        using var leaf = TestPki.Leaf(intermediate, TestPki.Web.ToString());
        Assert.Equal(PeerVerificationFailure.UntrustedIssuer, Verify(leaf).Failure);
        Assert.True(PeerVerifier.Verify(leaf, [intermediate], [_root], TrustDomain).Succeeded);
    }
}
