using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Weft.Identity;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>How a test client does TLS: which certificate it shows, what it offers, whom it trusts.</summary>
internal sealed record ClientTls
{
    public WorkloadCertificate? Certificate { get; init; }

    public List<SslApplicationProtocol>? Alpn { get; init; } = [SslApplicationProtocol.Http2];

    public SslProtocols Protocols { get; init; } = SslProtocols.Tls13;
}

/// <summary>
/// The client end of tests against <see cref="InboundServer"/>: TLS over a loopback socket that
/// checks the server is the pod's identity (as the outbound side will), then HTTP/2 or raw bytes.
/// </summary>
internal static class InboundClient
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A TLS connection to the server; also the client's own address (what the server sees as the peer).</summary>
    public static async Task<(SslStream Tls, IPEndPoint Local)> TlsAsync(InboundServer server, ClientTls tls)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.EndPoint);
        var local = (IPEndPoint)socket.LocalEndPoint!;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "backend.shop",
                EnabledSslProtocols = tls.Protocols,
                ApplicationProtocols = tls.Alpn,
                ClientCertificateContext = tls.Certificate?.CertificateContext,

                // Without one, say so: else SslStream searches the user's certificate stores.
                LocalCertificateSelectionCallback = tls.Certificate is null ? (_, _, _, _, _) => null! : null,
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                    PeerVerifier.Verify(cert, chain, [server.Ca.Root], server.Ca.TrustDomain, [server.Identity]).Succeeded,
            }).WaitAsync(Timeout);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }

        return (ssl, local);
    }

    /// <summary>A working HTTP/2 client, authenticated as <paramref name="certificate"/>.</summary>
    public static async Task<TestClient> ConnectAsync(InboundServer server, WorkloadCertificate certificate)
    {
        var (ssl, _) = await TlsAsync(server, new ClientTls { Certificate = certificate });
        return TestClient.Over(ssl);
    }

    /// <summary>Opens a CONNECT (plus <paramref name="extra"/> fields) and returns the stream and its :status.</summary>
    public static async Task<(Http2Stream Stream, string? Status)> OpenAsync(this TestClient client, string authority, params HeaderField[] extra)
    {
        var stream = await client.Connection.OpenStreamAsync([new(":method", "CONNECT"), new(":authority", authority), .. extra]);
        var response = await stream.ResponseHeaders.WaitAsync(Timeout);
        return (stream, response.Get(":status"));
    }

    /// <summary>Writes <paramref name="text"/>, half-closes, and returns what came back until the server's end.</summary>
    public static async Task<string> EchoAsync(Http2Stream stream, string text)
    {
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text));
        await stream.CompleteWritesAsync();
        return System.Text.Encoding.ASCII.GetString(await Echo.ReadAllAsync(stream).WaitAsync(Timeout));
    }

    /// <summary>Reads exactly <paramref name="count"/> octets of an open stream.</summary>
    public static async Task<string> ReadTextAsync(Http2Stream stream, int count)
    {
        var buffer = new byte[count];
        for (var got = 0; got < count;)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(got)).AsTask().WaitAsync(Timeout);
            Assert.True(n > 0, "the stream ended early");
            got += n;
        }

        return System.Text.Encoding.ASCII.GetString(buffer);
    }
}

/// <summary>
/// A client connection with an echo stream held open across whatever a test does to the server,
/// then checked: the stream still echoes, and a new tunnel on the same connection works.
/// </summary>
internal sealed class HealthyTunnel : IAsyncDisposable
{
    private HealthyTunnel(TestClient client, Http2Stream held)
    {
        Client = client;
        Held = held;
    }

    public TestClient Client { get; }

    public Http2Stream Held { get; }

    public static async Task<HealthyTunnel> OpenAsync(InboundServer server)
    {
        var client = await InboundClient.ConnectAsync(server, server.Ca.Issue(server.Ca.Id("shop", "frontend")));
        var (held, status) = await client.OpenAsync(InboundServer.Authority(8080));
        Assert.Equal("200", status);
        await held.WriteAsync("before"u8.ToArray());
        Assert.Equal("before", await InboundClient.ReadTextAsync(held, 6));
        return new HealthyTunnel(client, held);
    }

    /// <summary>The held stream and a new one both still echo.</summary>
    public async Task AssertStillWorksAsync()
    {
        var (fresh, status) = await Client.OpenAsync(InboundServer.Authority(9090));
        Assert.Equal("200", status);
        Assert.Equal("fresh", await InboundClient.EchoAsync(fresh, "fresh"));
        Assert.Equal("after", await InboundClient.EchoAsync(Held, "after"));
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
