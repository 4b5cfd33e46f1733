using Grpc.Core;

namespace Weft.Identity.Tests;

/// <summary>The Istio CA client against a real gRPC server over loopback.</summary>
public sealed class IstioCaClientTests : IAsyncLifetime, IDisposable
{
    private readonly FakeIstioCa _ca = new();
    private readonly TempDir _dir = new();
    private IstioCaServer _server = null!;
    private string _tokenFile = null!;

    public async Task InitializeAsync()
    {
        _server = await IstioCaServer.StartAsync(_ca);
        _tokenFile = _dir.Write("istio-token", "token-1\n");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }

    private IstioCertificateAuthorityClient NewClient(Func<IstioCaOptions, IstioCaOptions>? change = null)
    {
        var options = new IstioCaOptions { Address = _server.Address, AllowPlaintext = true, TokenFile = _tokenFile, ClusterId = "Kubernetes" };
        return new IstioCertificateAuthorityClient(change is null ? options : change(options));
    }

    private static (ECDsa Key, byte[] Csr) NewCsr(SpiffeId id)
    {
        var key = SigningRequest.NewKey();
        return (key, SigningRequest.Create(id, key));
    }

    [Fact]
    public async Task Issues_a_chain_and_sends_token_cluster_id_impersonated_identity_and_ttl()
    {
        using var client = NewClient();
        var (key, csr) = NewCsr(TestPki.Web);
        using var _ = key;

        var chain = await client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(24), CancellationToken.None);

        Assert.Equal([TestPki.Web.ToString()], TestPki.UriSans(chain.Leaf).Uris);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), chain.Leaf.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Empty(chain.Intermediates);
        Assert.Equal(_ca.Root.Thumbprint, Assert.Single(chain.Roots).Thumbprint);
        var seen = Assert.Single(_ca.Seen);
        Assert.Equal("Bearer token-1", seen.Authorization);
        Assert.Equal("Kubernetes", seen.ClusterId);
        Assert.Equal(TestPki.Web.ToString(), seen.Impersonated);
        Assert.Equal(86400, seen.ValiditySeconds);
        Assert.Equal(csr, seen.CsrDer);
    }

    [Fact]
    public async Task Token_file_is_read_at_every_call()
    {
        using var client = NewClient();
        var (key, csr) = NewCsr(TestPki.Web);
        using var _ = key;
        await client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None);

        // The kubelet rotates the projected token: the next call must carry the new one.
        File.WriteAllText(_tokenFile, "token-2");
        _ca.ExpectedToken = "token-2";
        await client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Equal(["Bearer token-1", "Bearer token-2"], _ca.Seen.Select(s => s.Authorization));

        // A token the CA does not accept surfaces as Unauthenticated.
        File.WriteAllText(_tokenFile, "stale");
        var e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Contains("Unauthenticated", e.Message, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(e.InnerException).StatusCode);

        File.Delete(_tokenFile);
        e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Contains("cannot read the CA token file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leaf_for_another_identity_is_rejected()
    {
        using var client = NewClient();
        var (key, csr) = NewCsr(TestPki.Web);
        using var _ = key;
        _ca.Misbehaviour = CaMisbehaviour.WrongSan;

        var e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Contains($"spiffe://cluster.local/ns/evil/sa/evil when {TestPki.Web} was asked for", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leaf_for_another_key_is_rejected()
    {
        using var client = NewClient();
        var (key, csr) = NewCsr(TestPki.Web);
        using var _ = key;
        _ca.Misbehaviour = CaMisbehaviour.OtherKey;

        var e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Contains("public key is not the one in our CSR", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_error_surfaces_with_status_and_detail()
    {
        using var client = NewClient();
        var (key, csr) = NewCsr(TestPki.Web);
        using var _ = key;
        _ca.Misbehaviour = CaMisbehaviour.Error;

        var e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Contains($"Istio CA {_server.Address} did not issue a certificate for {TestPki.Web}: Internal: injected failure", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slow_ca_hits_the_request_timeout_and_cancellation_is_honoured()
    {
        using var client = NewClient(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var (key, csr) = NewCsr(TestPki.Web);
        using var _ = key;
        _ca.Misbehaviour = CaMisbehaviour.Delay;

        var e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Contains("DeadlineExceeded", e.Message, StringComparison.Ordinal);

        using var patient = NewClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), cts.Token));
    }

    [Fact]
    public async Task Unreachable_ca_is_a_clear_error()
    {
        var address = _server.Address;
        await _server.DisposeAsync();
        _server = await IstioCaServer.StartAsync(_ca);
        using var client = NewClient(o => o with { Address = address });
        var (key, csr) = NewCsr(TestPki.Web);
        using var _ = key;

        var e = await Assert.ThrowsAsync<CertificateAuthorityException>(() => client.SignAsync(TestPki.Web, csr, TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Contains("Unavailable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manager_over_grpc_shares_one_request_among_concurrent_callers()
    {
        using var client = NewClient();
        using var manager = new CertificateManager(client);
        _ca.Misbehaviour = CaMisbehaviour.Delay;
        _ca.Delay = TimeSpan.FromMilliseconds(300);

        var certs = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => manager.GetAsync(TestPki.Web))));

        Assert.All(certs, c => Assert.Same(certs[0], c));
        Assert.Equal(1, _ca.Calls);
        Assert.Equal(_ca.Root.Thumbprint, Assert.Single(certs[0].TrustBundle).Thumbprint);
        Assert.True(certs[0].Certificate.HasPrivateKey);
    }
}
