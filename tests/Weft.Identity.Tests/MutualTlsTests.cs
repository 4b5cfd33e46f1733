using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Weft.Identity.Tests;

/// <summary>Two workload certificates in a real TLS 1.3 mutual handshake over loopback, each side verifying the other.</summary>
public sealed class MutualTlsTests : IDisposable
{
    private const string TrustDomain = "cluster.local";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed record Outcome(PeerVerificationResult? ServerSaw, PeerVerificationResult? ClientSaw, SslProtocols Protocol, string Echo);

    private static async Task<Outcome> HandshakeAsync(WorkloadCertificate server, WorkloadCertificate client, SpiffeId expectedServer)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        PeerVerificationResult? serverSaw = null, clientSaw = null;

        var serverSide = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync(timeout.Token);
            await using var tls = new SslStream(socket.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = server.CertificateContext,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls13,
                AllowTlsResume = false,
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                {
                    serverSaw = PeerVerifier.Verify(cert, chain, server.TrustBundle, TrustDomain);
                    return serverSaw.Succeeded;
                },
            }, timeout.Token);
            var buffer = new byte[5];
            await tls.ReadExactlyAsync(buffer, timeout.Token);
            await tls.WriteAsync(buffer, timeout.Token);
        });

        try
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, timeout.Token);
            await using var tls = new SslStream(socket.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "",
                ClientCertificateContext = client.CertificateContext,
                EnabledSslProtocols = SslProtocols.Tls13,
                AllowTlsResume = false,
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                {
                    clientSaw = PeerVerifier.Verify(cert, chain, client.TrustBundle, TrustDomain, [expectedServer]);
                    return clientSaw.Succeeded;
                },
            }, timeout.Token);
            await tls.WriteAsync("hello"u8.ToArray(), timeout.Token);
            var echo = new byte[5];
            await tls.ReadExactlyAsync(echo, timeout.Token);
            await serverSide;
            return new Outcome(serverSaw, clientSaw, tls.SslProtocol, System.Text.Encoding.ASCII.GetString(echo));
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => serverSide);
            return new Outcome(serverSaw, clientSaw, SslProtocols.None, "");
        }
    }

    [Fact]
    public async Task Issued_certificates_complete_a_tls13_mutual_handshake_and_each_side_reads_the_peer_identity()
    {
        using var ca = EmbeddedCertificateAuthority.LoadOrGenerate(_dir.Path);
        using var manager = new CertificateManager(ca);
        var server = await manager.GetAsync(TestPki.Web);
        var client = await manager.GetAsync(TestPki.Client);

        var outcome = await HandshakeAsync(server, client, TestPki.Web);

        Assert.Equal(SslProtocols.Tls13, outcome.Protocol);
        Assert.Equal("hello", outcome.Echo);
        Assert.Equal(TestPki.Client, outcome.ServerSaw!.GetPeerIdOrThrow());
        Assert.Equal(TestPki.Web, outcome.ClientSaw!.GetPeerIdOrThrow());
    }

    [Fact]
    public async Task Intermediate_is_sent_by_the_certificate_context_and_the_peer_trusts_only_the_root()
    {
        using var root = TestPki.EcRoot();
        using var intermediate = TestPki.Intermediate(root);
        var (cert, key) = TestPki.WriteCa(_dir, intermediate, TestPki.Pkcs8KeyPem(intermediate), root);
        using var ca = EmbeddedCertificateAuthority.Load(cert, key);
        using var manager = new CertificateManager(ca);
        var server = await manager.GetAsync(TestPki.Web);
        var client = await manager.GetAsync(TestPki.Client);
        Assert.Equal(root.Thumbprint, Assert.Single(server.TrustBundle).Thumbprint);

        var outcome = await HandshakeAsync(server, client, TestPki.Web);

        Assert.Equal(TestPki.Client, outcome.ServerSaw!.GetPeerIdOrThrow());
        Assert.Equal(TestPki.Web, outcome.ClientSaw!.GetPeerIdOrThrow());
    }

    [Fact]
    public async Task Client_from_another_ca_is_refused_by_the_server()
    {
        using var ours = EmbeddedCertificateAuthority.LoadOrGenerate(Path.Combine(_dir.Path, "ours"));
        using var theirs = EmbeddedCertificateAuthority.LoadOrGenerate(Path.Combine(_dir.Path, "theirs"));
        using var ourManager = new CertificateManager(ours);
        using var theirManager = new CertificateManager(theirs);
        var server = await ourManager.GetAsync(TestPki.Web);
        var intruder = await theirManager.GetAsync(TestPki.Client);

        var outcome = await HandshakeAsync(server, intruder, TestPki.Web);

        Assert.Equal(PeerVerificationFailure.UntrustedIssuer, outcome.ServerSaw!.Failure);
        Assert.Equal(SslProtocols.None, outcome.Protocol);
        Assert.Equal(PeerVerificationFailure.UntrustedIssuer,
            Assert.Throws<PeerVerificationException>(() => outcome.ServerSaw.GetPeerIdOrThrow()).Failure);
    }

    [Fact]
    public async Task Client_refuses_a_server_that_is_not_the_expected_identity()
    {
        using var ca = EmbeddedCertificateAuthority.LoadOrGenerate(_dir.Path);
        using var manager = new CertificateManager(ca);
        var impostor = await manager.GetAsync(SpiffeId.Parse("spiffe://cluster.local/ns/shop/sa/impostor"));
        var client = await manager.GetAsync(TestPki.Client);

        var outcome = await HandshakeAsync(impostor, client, TestPki.Web);

        Assert.Equal(PeerVerificationFailure.UnexpectedIdentity, outcome.ClientSaw!.Failure);
        Assert.Equal(SslProtocols.None, outcome.Protocol);
    }
}
