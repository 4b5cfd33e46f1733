using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Weft.Identity;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// Clients that must not get through the handshake: each is refused before any HTTP/2 byte,
/// counted under the right failure (and, for certificates, logged with PeerVerifier's reason),
/// while a tunnel of a healthy client on the same server keeps working through it.
/// </summary>
public sealed class HboneInboundTlsAttackTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestMeshCa ca = new();

    public void Dispose() => ca.Dispose();

    public static TheoryData<string> CertificateCases => ["no certificate", "another CA", "another trust domain", "expired"];

    public static TheoryData<string> TlsCases => ["no ALPN", "ALPN http/1.1 only", "TLS 1.2 only"];

    [Theory]
    [MemberData(nameof(CertificateCases))]
    public async Task A_client_certificate_the_mesh_does_not_trust_is_refused(string name)
    {
        using var otherCa = new TestMeshCa();
        var (certificate, failure) = name switch
        {
            "no certificate" => (null, PeerVerificationFailure.NoCertificate),
            "another CA" => (otherCa.Issue(ca.Id("shop", "frontend")), PeerVerificationFailure.UntrustedIssuer),
            "another trust domain" => (ca.Issue(SpiffeId.Create("evil.example", "shop", "frontend")), PeerVerificationFailure.WrongTrustDomain),
            "expired" => (ca.IssueAt(ca.Id("shop", "frontend"), DateTimeOffset.UtcNow.AddDays(-2), TimeSpan.FromHours(1)), PeerVerificationFailure.Expired),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));
        await using var healthy = await HealthyTunnel.OpenAsync(server);

        await AssertRefusedAsync(server, new ClientTls { Certificate = certificate });

        await server.WaitForHandshakeAsync(nameof(HboneFailure.PeerCertificateRejected));
        var rejected = Assert.Single(server.Log.Events(5101));
        Assert.Equal(failure.ToString(), rejected.Value("Failure"));
        Assert.False(string.IsNullOrEmpty(rejected.Value("Reason")));
        await healthy.AssertStillWorksAsync();
        Assert.Equal(new Dictionary<string, long> { ["ok"] = 1, [nameof(HboneFailure.PeerCertificateRejected)] = 1 },
            server.Metrics.By(InboundServer.Handshakes, "result"));
    }

    [Fact]
    public async Task Connections_beyond_the_handshakes_in_progress_limit_are_refused_until_one_ends()
    {
        var limit = new HandshakeLimit(2);
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"), handshakes: limit);

        // Two clients connect and never start TLS: they hold both slots (for the 10 s handshake timeout).
        using var silent1 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var silent2 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await silent1.ConnectAsync(server.EndPoint);
        await silent2.ConnectAsync(server.EndPoint);
        Assert.True(await Weft.Tunnel.Tests.Connection.ConnectTunnelTests.EventuallyAsync(() => limit.InFlight == 2), $"in flight: {limit.InFlight}");

        // A third is cut off at once, before any TLS byte, and counted.
        await AssertRefusedAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "frontend")) });
        await server.WaitForHandshakeAsync(HboneInbound.Overloaded);
        Assert.Equal(2, limit.InFlight);

        // One silent client goes away: its slot frees, and an honest client gets its tunnel.
        silent1.Close();
        Assert.True(await Weft.Tunnel.Tests.Connection.ConnectTunnelTests.EventuallyAsync(() => limit.InFlight == 1), $"in flight: {limit.InFlight}");
        await using var healthy = await HealthyTunnel.OpenAsync(server);
        await healthy.AssertStillWorksAsync();
        Assert.Equal(1, limit.InFlight);
    }

    [Theory]
    [MemberData(nameof(TlsCases))]
    public async Task A_client_that_will_not_speak_TLS_1_3_with_h2_is_refused(string name)
    {
        var tls = new ClientTls { Certificate = ca.Issue(ca.Id("shop", "frontend")) };
        tls = name switch
        {
            "no ALPN" => tls with { Alpn = null },
            "ALPN http/1.1 only" => tls with { Alpn = [SslApplicationProtocol.Http11] },
            "TLS 1.2 only" => tls with { Protocols = SslProtocols.Tls12 },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));
        await using var healthy = await HealthyTunnel.OpenAsync(server);

        await AssertRefusedAsync(server, tls);

        await server.WaitForHandshakeAsync(nameof(HboneFailure.TlsFailed));
        Assert.Single(server.Log.Events(5102));
        await healthy.AssertStillWorksAsync();
        Assert.Equal(new Dictionary<string, long> { ["ok"] = 1, [nameof(HboneFailure.TlsFailed)] = 1 },
            server.Metrics.By(InboundServer.Handshakes, "result"));
    }

    [Fact]
    public async Task Plain_text_instead_of_TLS_is_refused()
    {
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));
        await using var healthy = await HealthyTunnel.OpenAsync(server);

        await using (var plain = await Loopback.ConnectAsync(server.EndPoint))
        {
            await plain.WriteAsync("GET / HTTP/1.1\r\nHost: backend\r\n\r\n"u8.ToArray());
            await ReadToEndAsync(plain);
        }

        await server.WaitForHandshakeAsync(nameof(HboneFailure.TlsFailed));
        await healthy.AssertStillWorksAsync();
        Assert.Equal(1, server.HandshakeCount("ok"));
    }

    [Fact]
    public async Task A_client_that_never_finishes_the_handshake_is_dropped_at_the_timeout()
    {
        await using var server = new InboundServer(ca, options: new HboneOptions { HandshakeTimeout = TimeSpan.FromSeconds(1.5) }, output: TestLog.To(output, "inbound"));
        await using var healthy = await HealthyTunnel.OpenAsync(server);

        await using (var silent = await Loopback.ConnectAsync(server.EndPoint))
        {
            await ReadToEndAsync(silent);
        }

        await server.WaitForHandshakeAsync(nameof(HboneFailure.TlsFailed));
        Assert.Contains("no handshake within 1.5 s", Assert.Single(server.Log.Events(5102)).Value("Reason"), StringComparison.Ordinal);
        await healthy.AssertStillWorksAsync();
    }

    /// <summary>
    /// The client is refused in the handshake, or (TLS 1.3: the server judges the client's
    /// certificate after the client has finished) right after it: the first read ends or fails,
    /// and never returns the server's HTTP/2 SETTINGS.
    /// </summary>
    private static async Task AssertRefusedAsync(InboundServer server, ClientTls tls)
    {
        SslStream ssl;
        try
        {
            (ssl, _) = await InboundClient.TlsAsync(server, tls);
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return;
        }

        await using (ssl)
        {
            try
            {
                var n = await ssl.ReadAsync(new byte[64]).AsTask().WaitAsync(InboundClient.Timeout);
                Assert.True(n == 0, $"the server sent {n} octets to a client it should have refused");
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
            }
        }
    }

    private static async Task ReadToEndAsync(Stream stream)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer).AsTask().WaitAsync(InboundClient.Timeout) > 0)
            {
            }
        }
        catch (IOException e) when (e.InnerException is SocketException)
        {
            // A reset is a close too.
        }
    }
}
