using System.Net;
using Microsoft.Extensions.Logging;

namespace Weft.Proxy.Connections;

/// <summary>One line per proxied connection, written when it ends (or fails to start).</summary>
public static partial class AccessLog
{
    public const int EventId = 2000;

    [LoggerMessage(EventId = EventId, EventName = "AccessLog", Level = LogLevel.Information,
        Message = "{Direction} {SourceWorkload} ({SourcePrincipal}) {SourceAddress} -> {OriginalDestination} upstream {Upstream} workload {DestinationWorkload} ({DestinationPrincipal}) service {DestinationService} {Security}: sent {BytesSent} received {BytesReceived} in {DurationMs} ms, {Result}")]
    public static partial void Write(
        ILogger logger,
        string direction,
        string sourceWorkload,
        string sourcePrincipal,
        IPEndPoint? sourceAddress,
        IPEndPoint? originalDestination,
        IPEndPoint? upstream,
        string destinationWorkload,
        string destinationPrincipal,
        string destinationService,
        string security,
        long bytesSent,
        long bytesReceived,
        long durationMs,
        string result);
}
