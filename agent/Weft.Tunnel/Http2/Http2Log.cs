using Microsoft.Extensions.Logging;

namespace Weft.Tunnel.Http2;

/// <summary>The HTTP/2 layer's log events (ids 5000-5099). Nothing is logged per frame.</summary>
internal static partial class Http2Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Debug, Message = "http2 {Role}: connection started")]
    public static partial void Started(ILogger logger, string role);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "http2 {Role}: connection ended: {Reason}")]
    public static partial void Ended(ILogger logger, string role, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "http2 {Role}: protocol error {ErrorCode}, sending GOAWAY: {Reason}")]
    public static partial void ProtocolError(ILogger logger, string role, Http2ErrorCode errorCode, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "http2 {Role}: peer sent GOAWAY {ErrorCode}, last stream {LastStreamId}: {Debug}")]
    public static partial void GoAwayReceived(ILogger logger, string role, Http2ErrorCode errorCode, int lastStreamId, string debug);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "http2 {Role}: {What} not acknowledged within {TimeoutMs} ms, closing")]
    public static partial void AckTimeout(ILogger logger, string role, string what, long timeoutMs);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Debug, Message = "http2 {Role}: stream {StreamId} reset with {ErrorCode}: {Reason}")]
    public static partial void StreamError(ILogger logger, string role, int streamId, Http2ErrorCode errorCode, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "http2 server: handler for stream {StreamId} failed")]
    public static partial void HandlerFailed(ILogger logger, int streamId, Exception exception);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Debug, Message = "http2 {Role}: transport failed: {Error}")]
    public static partial void TransportFailed(ILogger logger, string role, string error);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "http2 {Role}: going away (GOAWAY {ErrorCode}, last stream {LastStreamId}), draining {ActiveStreams} streams")]
    public static partial void GoingAway(ILogger logger, string role, Http2ErrorCode errorCode, int lastStreamId, int activeStreams);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Debug, Message = "http2 {Role}: closing the transport failed")]
    public static partial void CloseFailed(ILogger logger, string role, Exception exception);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "http2 {Role}: a write made no progress within {TimeoutMs} ms (the peer does not read), closing")]
    public static partial void WriteStalled(ILogger logger, string role, long timeoutMs);
}
