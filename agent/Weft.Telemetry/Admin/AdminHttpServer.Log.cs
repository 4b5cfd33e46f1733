using Microsoft.Extensions.Logging;

namespace Weft.Telemetry.Admin;

/// <summary>The admin server's log events (ids 8000-8019): started, stopped, failed handlers and accepts. Nothing per served request.</summary>
public sealed partial class AdminHttpServer
{
    [LoggerMessage(EventId = 8000, Level = LogLevel.Information, Message = "admin http: listening on {Prefixes}")]
    private static partial void LogStarted(ILogger logger, string prefixes);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "admin http: stopped listening on {Prefixes}")]
    private static partial void LogStopped(ILogger logger, string prefixes);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Error, Message = "admin http: {Method} {Prefix} {Path} failed; answered 500")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string method, string prefix, string path);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "admin http: accepting a request on {Prefix} failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string prefix, string reason);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Debug, Message = "admin http: an unfinished response could not be answered {StatusCode}, the connection is cut: {Reason}")]
    private static partial void LogResponseAborted(ILogger logger, int statusCode, string reason);
}
