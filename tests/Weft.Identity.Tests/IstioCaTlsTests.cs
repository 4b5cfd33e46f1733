using System.Net;

namespace Weft.Identity.Tests;

/// <summary>The client reaches the CA over TLS and trusts only the configured root for it.</summary>
public sealed class IstioCaTlsTests : IAsyncLifetime, IDisposable
{
    private readonly FakeIstioCa _ca = new();
    private readonly TempDir _dir = new();
    private readonly X509Certificate2 _tlsRoot = TestPki.EcRoot("CA TLS Root");
    private IstioCaServer _server = null!;

    public async Task InitializeAsync() => _server = await IstioCaServer.StartAsync(_ca, ServerCertificate(_tlsRoot, "127.0.0.1"));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _ca.Dispose();
        _tlsRoot.Dispose();
        _dir.Dispose();
    }

    private static X509Certificate2 ServerCertificate(X509Certificate2 root, string ip)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=istiod", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Parse(ip));
        san.AddDnsName("istiod.istio-system.svc");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = request.Create(root, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(12));
        return cert.CopyWithPrivateKey(key);
    }

    private IstioCertificateAuthorityClient Client(string? rootPem) => new(new IstioCaOptions
    {
        Address = _server.Address,
        RootCert = rootPem is null ? null : _dir.Write($"root-{Guid.NewGuid():N}.pem", rootPem),
        TokenFile = _dir.Write("token", "token-1"),
        RequestTimeout = TimeSpan.FromSeconds(10),
    });

    [Fact]
    public async Task Configured_root_is_trusted_for_the_ca_connection()
    {
        Assert.Equal("https", _server.Address.Scheme);
        using var client = Client(_tlsRoot.ExportCertificatePem());
        using var key = SigningRequest.NewKey();
        var chain = await client.SignAsync(TestPki.Web, SigningRequest.Create(TestPki.Web, key), TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal([TestPki.Web.ToString()], TestPki.UriSans(chain.Leaf).Uris);
    }

    [Fact]
    public async Task Other_root_or_system_roots_do_not_vouch_for_the_ca()
    {
        using var other = TestPki.EcRoot("Unrelated Root");
        using var key = SigningRequest.NewKey();
        var csr = SigningRequest.Create(TestPki.Web, key);
        foreach (var root in new[] { other.ExportCertificatePem(), null })
        {
            using var client = Client(root);
            var e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None));
            Assert.Contains("The remote certificate is invalid", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, _ca.Calls);
    }

    [Fact]
    public void Unreadable_root_file_is_reported()
    {
        var e = Assert.Throws<CertificateAuthorityException>(() => new IstioCertificateAuthorityClient(new IstioCaOptions
        {
            Address = _server.Address,
            RootCert = _dir.File("missing.pem"),
        }));
        Assert.Contains("cannot read the Istio CA root certificate", e.Message, StringComparison.Ordinal);
    }
}
