using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Weft.Identity;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// The far end for the client pool tests, built from the test's own parts (no production inbound
/// code): a loopback listener doing mutual TLS 1.3 with a SPIFFE certificate (ALPN h2, client
/// certificates required and checked against the mesh CA), then an HTTP/2 server. CONNECTs to a
/// port 400-599 are refused with that status, to port 399 never answered; any other is accepted
/// and echoed.
/// </summary>
internal sealed class PoolTestServer : IAsyncDisposable
{
    /// <summary>A CONNECT to this port is accepted as a stream and never answered.</summary>
    public const int SilentPort = 399;

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Http2Options http2;
    private readonly TestMeshCa ca;
    private readonly CancellationTokenSource stop = new();
    private readonly ConcurrentQueue<Http2Connection> connections = new();
    private readonly ConcurrentQueue<Task> serving = new();
    private readonly Task acceptLoop;
    private int tlsHandshakes;

    private PoolTestServer(TestMeshCa ca, WorkloadCertificate certificate, Http2Options http2)
    {
        this.http2 = http2;
        this.ca = ca;
        Certificate = certificate;
        listener.Start();
        acceptLoop = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)listener.LocalEndpoint;

    /// <summary>What the next connection's handshake presents.</summary>
    public WorkloadCertificate Certificate { get; set; }

    public int TlsHandshakes => Volatile.Read(ref tlsHandshakes);

    /// <summary>The verified identity of each client, in handshake order.</summary>
    public ConcurrentQueue<SpiffeId> ClientIdentities { get; } = new();

    public ConcurrentQueue<IReadOnlyList<HeaderField>> Requests { get; } = new();

    /// <summary>The HTTP/2 layer's events on the server side (5003: GOAWAY received).</summary>
    public RecordingLogger Log { get; } = new();

    public static PoolTestServer Start(TestMeshCa ca, WorkloadCertificate certificate, Http2Options? http2 = null) => new(ca, certificate, http2 ?? new Http2Options());

    /// <summary>Closes every connection from the server side (GOAWAY, then the transport).</summary>
    public async Task CloseConnectionsAsync()
    {
        while (connections.TryDequeue(out var connection))
        {
            await connection.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        listener.Dispose();
        await CloseConnectionsAsync();
        try
        {
            await acceptLoop;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        await Task.WhenAll(serving);
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var socket = await listener.AcceptSocketAsync(stop.Token);
            socket.NoDelay = true;
            serving.Enqueue(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        SpiffeId client = default;
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = Certificate.CertificateContext,
                EnabledSslProtocols = SslProtocols.Tls13,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, cert, chain, _) =>
                {
                    var verdict = PeerVerifier.Verify(cert, chain, [ca.Root], ca.TrustDomain);
                    client = verdict.PeerId;
                    return verdict.Succeeded;
                },
            }, stop.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            // The client refused us (wrong identity, another CA): that is what those tests want.
            await ssl.DisposeAsync();
            return;
        }

        Interlocked.Increment(ref tlsHandshakes);
        ClientIdentities.Enqueue(client);
        var connection = Http2Connection.Server(ssl, http2, HandleAsync, Log);
        connections.Enqueue(connection);
        try
        {
            await connection.RunAsync();
        }
        catch (Http2Exception)
        {
        }
    }

    private Task HandleAsync(Http2Stream stream)
    {
        Requests.Enqueue(stream.RequestHeaders);
        var authority = stream.RequestHeaders.Get(":authority") ?? "";
        var port = int.Parse(authority.AsSpan(authority.LastIndexOf(':') + 1), CultureInfo.InvariantCulture);
        return port switch
        {
            SilentPort => SilenceAsync(),
            >= 400 and < 600 => stream.RespondAsync([new(":status", port.ToString(CultureInfo.InvariantCulture))], endStream: true).AsTask(),
            _ => Echo.Handler(stream),
        };
    }

    private async Task SilenceAsync()
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
