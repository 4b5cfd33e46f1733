using System.Net;
using Microsoft.Extensions.Logging;
using Weft.Identity;
using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// The HBONE inbound server's log events (ids 5100-5119). Whatever a peer can cause is at most
/// Information, so an attack costs counters and not a flood of warnings; Warning and Error
/// are for faults of our own (a handler, the pod's certificate).
/// </summary>
internal static partial class HboneInboundLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Debug, Message = "hbone inbound: {PeerAddress} is {Peer} (TLS 1.3, h2)")]
    public static partial void Authenticated(ILogger logger, IPEndPoint peerAddress, SpiffeId peer);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "hbone inbound: {PeerAddress} refused, its certificate was rejected ({Failure}): {Reason}")]
    public static partial void PeerRejected(ILogger logger, IPEndPoint peerAddress, PeerVerificationFailure failure, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "hbone inbound: TLS with {PeerAddress} failed: {Reason}")]
    public static partial void TlsFailed(ILogger logger, IPEndPoint peerAddress, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "hbone inbound: no certificate to answer {PeerAddress} with")]
    public static partial void CertificateUnavailable(ILogger logger, IPEndPoint peerAddress, Exception exception);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "hbone inbound: connection of {Peer} from {PeerAddress} ended on a protocol error ({ErrorCode}): {Reason}")]
    public static partial void ProtocolError(ILogger logger, SpiffeId peer, IPEndPoint peerAddress, Http2ErrorCode errorCode, string reason);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Debug, Message = "hbone inbound: connection of {Peer} from {PeerAddress} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, SpiffeId peer, IPEndPoint peerAddress, string reason);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Debug, Message = "hbone inbound: connection from {PeerAddress} closed: shutting down")]
    public static partial void ShuttingDown(ILogger logger, IPEndPoint peerAddress);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Information, Message = "hbone inbound: stream {StreamId} of {Peer} from {PeerAddress} refused (400): {Reason}")]
    public static partial void BadRequest(ILogger logger, int streamId, SpiffeId peer, IPEndPoint peerAddress, string reason);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Warning, Message = "hbone inbound: handler of stream {StreamId} ({Peer} to {Target}) failed; stream reset")]
    public static partial void HandlerFailed(ILogger logger, int streamId, SpiffeId peer, IPEndPoint target, Exception exception);

    [LoggerMessage(EventId = 5109, Level = LogLevel.Debug, Message = "hbone inbound: stream {StreamId} ended under its handler: {Reason}")]
    public static partial void StreamEnded(ILogger logger, int streamId, string reason);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Debug, Message = "hbone inbound: the accepted socket is unusable: {Reason}")]
    public static partial void SocketUnusable(ILogger logger, string reason);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Debug, Message = "hbone inbound: {PeerAddress} refused: {Max} handshakes already in progress")]
    public static partial void Overloaded(ILogger logger, IPEndPoint peerAddress, int max);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Error, Message = "hbone inbound: connection of {Peer} from {PeerAddress} failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, SpiffeId peer, IPEndPoint peerAddress, Exception exception);
}
