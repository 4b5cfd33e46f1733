using Microsoft.Extensions.Logging;

namespace Weft.Tunnel.Hbone;

/// <summary>The pool's log events (ids 5200-5219): connections made, failed, ended and closed; refused streams. Nothing per successful stream.</summary>
public sealed partial class HboneClientPool
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Debug, Message = "hbone client: connection {ConnectionId} established ({Key}) in {ElapsedMs:F1} ms")]
    private static partial void LogConnected(ILogger logger, long connectionId, HbonePoolKey key, double elapsedMs);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "hbone client: handshake failed ({Failure}) for {Key}: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, HboneFailure failure, HbonePoolKey key, string reason);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Debug, Message = "hbone client: connection {ConnectionId} ({Key}) ended: {Reason}")]
    private static partial void LogConnectionEnded(ILogger logger, long connectionId, HbonePoolKey key, string reason);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Debug, Message = "hbone client: connection {ConnectionId} ({Key}) idle for {IdleTimeout}, closing (GOAWAY)")]
    private static partial void LogIdleClosed(ILogger logger, long connectionId, HbonePoolKey key, TimeSpan idleTimeout);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Information, Message = "hbone client: CONNECT {Target} refused with {Status} ({Failure}) ({Key})")]
    private static partial void LogRefused(ILogger logger, int? status, HboneFailure failure, System.Net.IPEndPoint target, HbonePoolKey key);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Warning, Message = "hbone client: CONNECT failed on the connection ({Key}): {Reason}")]
    private static partial void LogStreamFailed(ILogger logger, HbonePoolKey key, string reason);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Debug, Message = "hbone client: connection {ConnectionId} ({Key}) could not take the stream ({Reason}), trying again")]
    private static partial void LogRetrying(ILogger logger, long connectionId, HbonePoolKey key, string reason);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Debug, Message = "hbone client: pool disposed, closing {Connections} connections and {Handshakes} handshakes")]
    private static partial void LogDisposing(ILogger logger, int connections, int handshakes);
}
