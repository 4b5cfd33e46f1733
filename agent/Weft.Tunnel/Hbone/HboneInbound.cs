using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// A pod's tunnel listener (port 15008), one accepted connection at a time: mutual TLS 1.3
/// with ALPN h2, a peer certificate of the mesh's trust domain, then HTTP/2 whose CONNECT
/// streams to an address of the pod are handed to <see cref="HboneInboundSettings.Handler"/>.
/// Whatever a peer does wrong ends its own connection or stream only, and is logged and counted.
/// </summary>
public sealed partial class HboneInbound
{
    private const string Side = "server";

    /// <summary>The handshake result when <see cref="HboneInboundSettings.Handshakes"/> had no slot left.</summary>
    public const string Overloaded = "Overloaded";

    private readonly HboneInboundSettings settings;
    private readonly HboneOptions options;
    private readonly HboneMetrics metrics;
    private readonly ILogger log;
    private readonly Action<Http2ErrorCode> countStreamRejected;
    private readonly ConcurrentDictionary<Http2Connection, byte> open = new();
    private volatile bool goingAway;

    public HboneInbound(HboneInboundSettings settings, HboneOptions options, HboneMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrEmpty(settings.TrustDomain, nameof(settings));

        // Bad options are a configuration error: fail here, not on every connection.
        options.Http2.Validate();
        if (options.HandshakeTimeout <= TimeSpan.Zero && options.HandshakeTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.HandshakeTimeout, "HandshakeTimeout must be positive (or infinite)");
        }

        this.settings = settings;
        this.options = options;
        this.metrics = metrics;
        countStreamRejected = _ => metrics.Refused("server", nameof(HboneFailure.StreamRejected));
        log = logger;
    }

    /// <summary>
    /// Serves one accepted TCP connection (to a pod's port 15008) until it ends, and until the
    /// handlers of its streams have returned. Never throws for peer misbehaviour (logs + counts);
    /// disposes the socket. Cancelling sends GOAWAY and closes the connection.
    /// </summary>
    public async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        SslStream ssl;
        IPEndPoint peerAddress;
        try
        {
            peerAddress = Normalize((IPEndPoint)(socket.RemoteEndPoint ?? throw new SocketException((int)SocketError.NotConnected)));
            ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or InvalidCastException)
        {
            // The peer left between accept and here, or this is not a connected TCP socket.
            HboneInboundLog.SocketUnusable(log, e.Message);
            socket.Dispose();
            return;
        }

        var limit = settings.Handshakes;
        if (limit is not null && !limit.TryEnter())
        {
            // Counted, logged at Debug only: a flood must not also flood the log.
            metrics.Handshake(Side, Overloaded);
            HboneInboundLog.Overloaded(log, peerAddress, limit.Max);
            await ssl.DisposeAsync().ConfigureAwait(false);
            return;
        }

        Weft.Identity.SpiffeId? peer;
        try
        {
            peer = await HandshakeAsync(ssl, peerAddress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            limit?.Exit();
        }

        if (peer is null)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            return;
        }

        using var connection = new InboundConnection(peer.Value, peerAddress);
        await RunHttp2Async(ssl, connection, cancellationToken).ConfigureAwait(false);
        await connection.CloseAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Graceful end (the pod is released, the agent stops): every open tunnel connection gets GOAWAY
    /// (NO_ERROR), takes no new stream and closes once its streams are done; a connection that
    /// completes its handshake after this gets GOAWAY at once.
    /// </summary>
    public async Task GoAwayAllAsync()
    {
        goingAway = true;
        foreach (var connection in open.Keys)
        {
            await GoAwayQuietlyAsync(connection).ConfigureAwait(false);
        }
    }

    private static async Task GoAwayQuietlyAsync(Http2Connection connection)
    {
        try
        {
            await connection.GoAwayAsync(Http2ErrorCode.NoError).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Http2Exception or ObjectDisposedException or InvalidOperationException)
        {
            // It ended meanwhile.
        }
    }

    private async Task RunHttp2Async(SslStream ssl, InboundConnection connection, CancellationToken cancellationToken)
    {
        var http2 = Http2Connection.Server(ssl, options.Http2, stream => OnStreamAsync(stream, connection), log);
        http2.StreamRejected = countStreamRejected;
        open.TryAdd(http2, 0);
        await using (http2.ConfigureAwait(false))
        {
            try
            {
                var running = http2.RunAsync(cancellationToken);
                if (goingAway)
                {
                    await GoAwayQuietlyAsync(http2).ConfigureAwait(false);
                }

                await running.ConfigureAwait(false);
                HboneInboundLog.ConnectionEnded(log, connection.Peer, connection.PeerAddress, "closed");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                HboneInboundLog.ShuttingDown(log, connection.PeerAddress);
            }
            catch (Http2ConnectionException e) when (e.ErrorCode != Http2ErrorCode.NoError)
            {
                HboneInboundLog.ProtocolError(log, connection.Peer, connection.PeerAddress, e.ErrorCode, e.Message);
                metrics.Refused(Side, nameof(HboneFailure.ProtocolError));
            }
            catch (Http2ConnectionException e)
            {
                // The transport failed or a PING went unanswered: the peer is gone, nothing it did wrong.
                HboneInboundLog.ConnectionEnded(log, connection.Peer, connection.PeerAddress, e.Message);
            }
            catch (Exception e)
            {
                HboneInboundLog.ConnectionFailed(log, connection.Peer, connection.PeerAddress, e);
            }
            finally
            {
                open.TryRemove(http2, out _);
            }
        }
    }

    /// <summary>A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; policy and logs want a.b.c.d.</summary>
    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
