using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Weft.Identity;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// The inbound server's good path and lifetime, over real mutual TLS on loopback: what the
/// handler is told, bytes through to an application, certificate rotation, cancellation,
/// handler failures, and that ServeAsync outlives its handlers.
/// </summary>
public sealed class HboneInboundTunnelTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = InboundClient.Timeout;
    private readonly TestMeshCa ca = new();

    public void Dispose() => ca.Dispose();

    [Fact]
    public async Task A_connect_reaches_the_handler_with_the_peer_and_relays_to_the_application()
    {
        await using var app = new TcpEchoServer();
        var requests = new System.Collections.Concurrent.ConcurrentQueue<HboneRequest>();
        await using var server = new InboundServer(ca, async (request, ct) =>
        {
            requests.Enqueue(request);
            await request.AcceptAsync(ct);

            // The pod's address stands for loopback here: dial the application on the target's port.
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, request.Target.Port), ct);
            await TunnelRelay.RunAsync(socket, request.Stream, ct);
        }, output: TestLog.To(output, "inbound"));
        var clientId = ca.Id("shop", "frontend");
        var (ssl, local) = await InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(clientId) });
        await using var client = TestClient.Over(ssl);

        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        var (stream, status) = await client.OpenAsync(InboundServer.Authority(app.Port),
            new HeaderField("forwarded", "for=10.1.2.3"), new HeaderField("traceparent", traceParent));
        Assert.Equal("200", status);

        var data = RandomNumberGenerator.GetBytes(256 * 1024);
        var receive = Echo.ReceiveAsync(stream);
        await stream.WriteAsync(data);
        await stream.CompleteWritesAsync();
        var (count, digest) = await receive.WaitAsync(Timeout);
        Assert.Equal(data.Length, count);
        Assert.Equal(SHA256.HashData(data), digest);

        var request = Assert.Single(requests);
        Assert.Equal(clientId, request.Peer);
        Assert.Equal(local, request.PeerAddress);
        Assert.Equal(new IPEndPoint(InboundServer.PodAddress, app.Port), request.Target);
        Assert.Equal("for=10.1.2.3", request.Forwarded);
        Assert.Equal(traceParent, request.TraceParent);

        // The IPv6 form of the authority, on the same connection.
        var (v6, v6Status) = await client.OpenAsync(InboundServer.Authority(app.Port, v6: true));
        Assert.Equal("200", v6Status);
        Assert.Equal("over v6", await InboundClient.EchoAsync(v6, "over v6"));
        Assert.Equal(new IPEndPoint(InboundServer.PodAddressV6, app.Port), requests.Last().Target);
        Assert.Null(requests.Last().Forwarded);

        Assert.Equal(1, server.HandshakeCount("ok"));
        Assert.Empty(server.Metrics.By(InboundServer.Refusals, "reason"));
        var authenticated = Assert.Single(server.Log.Events(5100));
        Assert.Equal(clientId.ToString(), authenticated.Value("Peer"));
    }

    [Fact]
    public async Task Each_handshake_serves_the_pods_current_certificate()
    {
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));
        var first = server.Certificate;
        var (ssl1, _) = await InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "a")) });
        await using var client1 = TestClient.Over(ssl1);
        Assert.Equal(first.Certificate.SerialNumber, Assert.IsType<X509Certificate2>(ssl1.RemoteCertificate).SerialNumber);

        server.Certificate = ca.Issue(server.Identity);
        var (ssl2, _) = await InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "b")) });
        await using var client2 = TestClient.Over(ssl2);
        Assert.Equal(server.Certificate.Certificate.SerialNumber, Assert.IsType<X509Certificate2>(ssl2.RemoteCertificate).SerialNumber);
        Assert.NotEqual(first.Certificate.SerialNumber, server.Certificate.Certificate.SerialNumber);
        Assert.Equal(2, server.CertificateFetches);

        // The connection made with the old certificate carries on.
        var (stream, status) = await client1.OpenAsync(InboundServer.Authority(80));
        Assert.Equal("200", status);
        Assert.Equal("old", await InboundClient.EchoAsync(stream, "old"));
    }

    [Fact]
    public async Task GoAwayAll_lets_open_streams_finish_but_takes_no_new_ones_even_on_later_connections()
    {
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));
        var (ssl, _) = await InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "frontend")) });
        await using var raw = new RawPeer(ssl);
        await raw.HandshakeAsClientAsync();
        await raw.SendConnectAsync(1);
        await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 1);

        await server.Inbound.GoAwayAllAsync();
        var goAway = await raw.ExpectAsync(FrameType.GoAway);
        Assert.Equal((Http2ErrorCode.NoError, 1), (goAway.ErrorCode, goAway.LastStreamId));

        // The open stream still carries data both ways, to its end.
        await raw.SendAsync(w => FrameWriter.WriteData(w, 1, "still here"u8, endStream: true));
        var echoed = await raw.ExpectAsync(FrameType.Data, f => f.StreamId == 1 && f.Header.Length > 0);
        Assert.Equal("still here"u8.ToArray(), echoed.Payload);

        // A connection made afterwards is told at once.
        var (late, _) = await InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "frontend")) });
        await using var lateRaw = new RawPeer(late);
        await lateRaw.HandshakeAsClientAsync();
        Assert.Equal(Http2ErrorCode.NoError, (await lateRaw.ExpectAsync(FrameType.GoAway)).ErrorCode);
        Assert.Empty(server.Metrics.By(InboundServer.Refusals, "reason"));
    }

    [Fact]
    public async Task Cancelling_ServeAsync_sends_GOAWAY_closes_and_cancels_the_handlers()
    {
        var handlerCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new InboundServer(ca, async (request, ct) =>
        {
            await request.AcceptAsync(ct);
            try
            {
                await Task.Delay(System.Threading.Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                handlerCancelled.TrySetResult();
                throw;
            }
        }, output: TestLog.To(output, "inbound"));
        var (ssl, _) = await InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "frontend")) });
        await using var raw = new RawPeer(ssl);
        await raw.HandshakeAsClientAsync();
        await raw.SendConnectAsync(1);
        await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 1);

        var stopping = server.StopServingAsync();
        var goAway = await raw.ExpectAsync(FrameType.GoAway);
        Assert.Equal((Http2ErrorCode.NoError, 1), (goAway.ErrorCode, goAway.LastStreamId));
        await raw.ExpectClosedAsync();
        await handlerCancelled.Task.WaitAsync(Timeout);
        await stopping.WaitAsync(Timeout);

        // A shutdown is nobody's fault: nothing refused, nothing failed.
        Assert.Empty(server.Metrics.By(InboundServer.Refusals, "reason"));
        Assert.Single(server.Log.Events(5106));
        Assert.Empty(server.Log.Events(5108));
    }

    [Fact]
    public async Task A_failing_handler_has_its_stream_reset_and_is_logged_the_connection_carries_on()
    {
        await using var server = new InboundServer(ca, (request, ct) => request.Target.Port == 666
            ? throw new InvalidOperationException("the handler broke")
            : InboundServer.EchoAsync(request, ct), output: TestLog.To(output, "inbound"));
        await using var client = await InboundClient.ConnectAsync(server, ca.Issue(ca.Id("shop", "frontend")));

        var broken = await client.Connection.OpenStreamAsync([new(":method", "CONNECT"), new(":authority", InboundServer.Authority(666))]);
        var reset = await Assert.ThrowsAsync<Http2StreamException>(() => broken.ResponseHeaders.WaitAsync(Timeout));
        Assert.Equal(Http2ErrorCode.InternalError, reset.ErrorCode);
        var logged = Assert.Single(server.Log.Events(5108));
        Assert.Equal("the handler broke", logged.Exception?.Message);
        Assert.Equal($"{InboundServer.PodAddress}:666", logged.Value("Target"));

        var (stream, status) = await client.OpenAsync(InboundServer.Authority(80));
        Assert.Equal("200", status);
        Assert.Equal("fine", await InboundClient.EchoAsync(stream, "fine"));
    }

    [Fact]
    public async Task The_handlers_token_ends_with_the_connection_and_ServeAsync_waits_for_the_handler()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new InboundServer(ca, async (request, ct) =>
        {
            await request.AcceptAsync(ct);
            await Task.Delay(System.Threading.Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            cancelled.TrySetResult();
            await release.Task; // still cleaning up after the connection is gone
        }, output: TestLog.To(output, "inbound"));
        var client = await InboundClient.ConnectAsync(server, ca.Issue(ca.Id("shop", "frontend")));
        var (_, status) = await client.OpenAsync(InboundServer.Authority(80));
        Assert.Equal("200", status);

        var served = server.NextServedAsync();
        await client.DisposeAsync();
        await cancelled.Task.WaitAsync(Timeout);
        Assert.False(served.IsCompleted, "ServeAsync returned while a handler of its connection was still running");
        release.SetResult();
        await served.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Without_a_certificate_of_its_own_the_pod_refuses_connections_and_ServeAsync_does_not_throw()
    {
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));
        server.CertificateUnavailable = new InvalidOperationException("the CA is unreachable");
        var served = server.NextServedAsync();
        var refused = await Record.ExceptionAsync(() => InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "frontend")) }));
        Assert.True(refused is IOException or System.Security.Authentication.AuthenticationException, $"expected the handshake to fail, got {refused}");

        await served.WaitAsync(Timeout);
        Assert.Equal(1, server.HandshakeCount(nameof(HboneFailure.TlsFailed)));
        Assert.Equal("the CA is unreachable", Assert.Single(server.Log.Events(5103)).Exception?.Message);

        server.CertificateUnavailable = null;
        await using var client = await InboundClient.ConnectAsync(server, ca.Issue(ca.Id("shop", "frontend")));
        var (stream, status) = await client.OpenAsync(InboundServer.Authority(80));
        Assert.Equal("200", status);
        Assert.Equal("back", await InboundClient.EchoAsync(stream, "back"));
    }

    [Fact]
    public async Task An_IPv4_peer_of_a_dual_stack_listener_is_reported_as_IPv4()
    {
        var peerAddresses = new System.Collections.Concurrent.ConcurrentQueue<IPEndPoint>();
        await using var server = new InboundServer(ca, (request, ct) =>
        {
            peerAddresses.Enqueue(request.PeerAddress);
            return InboundServer.EchoAsync(request, ct);
        }, output: TestLog.To(output, "inbound"));

        // A dual-mode socket on the IPv4-mapped loopback: IPv4 peers arrive as ::ffff:127.0.0.1.
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        listener.Bind(new IPEndPoint(IPAddress.Loopback.MapToIPv6(), 0));
        listener.Listen();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndPoint!).Port));
        var accepted = await listener.AcceptAsync();
        Assert.True(((IPEndPoint)accepted.RemoteEndPoint!).Address.IsIPv4MappedToIPv6);
        var serving = server.Inbound.ServeAsync(accepted, CancellationToken.None);

        var ssl = new System.Net.Security.SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "backend.shop",
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
            ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http2],
            ClientCertificateContext = ca.Issue(ca.Id("shop", "frontend")).CertificateContext,
            RemoteCertificateValidationCallback = (_, cert, chain, _) => PeerVerifier.Verify(cert, chain, [ca.Root], ca.TrustDomain).Succeeded,
        });
        await using (var client = TestClient.Over(ssl))
        {
            var (stream, status) = await client.OpenAsync(InboundServer.Authority(80));
            Assert.Equal("200", status);
            Assert.Equal("v4", await InboundClient.EchoAsync(stream, "v4"));
        }

        await serving.WaitAsync(Timeout);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)socket.LocalEndPoint!).Port), Assert.Single(peerAddresses));
    }

    [Fact]
    public void Options_that_cannot_work_fail_at_construction()
    {
        using var probe = new MetricsProbe();
        var settings = new HboneInboundSettings
        {
            Certificate = _ => throw new InvalidOperationException("not reached"),
            TrustDomain = ca.TrustDomain,
            IsLocalAddress = _ => true,
            Handler = (_, _) => Task.CompletedTask,
        };
        var metrics = new HboneMetrics(probe.Meter);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HboneInbound(settings, new HboneOptions { HandshakeTimeout = TimeSpan.Zero }, metrics, TestLog.Null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HboneInbound(settings, new HboneOptions { Http2 = new Http2Options { MaxConcurrentStreams = 0 } }, metrics, TestLog.Null));
        Assert.Throws<ArgumentException>(() => new HboneInbound(settings with { TrustDomain = "" }, new HboneOptions(), metrics, TestLog.Null));
        _ = new HboneInbound(settings, new HboneOptions { HandshakeTimeout = System.Threading.Timeout.InfiniteTimeSpan }, metrics, TestLog.Null);
    }
}
