using Microsoft.Extensions.Logging;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// The cluster watch's log events (ids 9000-9019). Failures are logged once per change of state, not per retry;
/// per-event activity only at Debug.
/// </summary>
internal static partial class WatchLog
{
    [LoggerMessage(EventId = 9000, EventName = "KubeListed", Level = LogLevel.Information, Message = "kubernetes {Kind}: listed {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string kind, int count, string resourceVersion);

    [LoggerMessage(EventId = 9001, EventName = "KubeRelisting", Level = LogLevel.Information, Message = "kubernetes {Kind}: cannot resume from resourceVersion {ResourceVersion} ({Reason}); listing again")]
    public static partial void Relisting(ILogger logger, string kind, string? resourceVersion, string reason);

    [LoggerMessage(EventId = 9002, EventName = "KubeWatchFailing", Level = LogLevel.Warning, Message = "kubernetes {Kind}: {Problem}; keeping the last known state and retrying with backoff")]
    public static partial void Failing(ILogger logger, Exception? exception, string kind, string problem);

    [LoggerMessage(EventId = 9003, EventName = "KubeWatchRecovered", Level = LogLevel.Information, Message = "kubernetes {Kind}: the API server answers again after {Failures} failed attempts ({Problem})")]
    public static partial void Recovered(ILogger logger, string kind, int failures, string problem);

    [LoggerMessage(EventId = 9004, EventName = "KubeContinueExpired", Level = LogLevel.Information, Message = "kubernetes {Kind}: the list's continue token expired; listing from the first page again")]
    public static partial void ContinueExpired(ILogger logger, string kind);

    [LoggerMessage(EventId = 9005, EventName = "KubeWatchClosed", Level = LogLevel.Debug, Message = "kubernetes {Kind}: the server closed the watch; resuming from resourceVersion {ResourceVersion}")]
    public static partial void WatchClosed(ILogger logger, string kind, string? resourceVersion);

    [LoggerMessage(EventId = 9006, EventName = "KubeStaleEvent", Level = LogLevel.Debug, Message = "kubernetes {Kind}: ignored an event for {Key} at resourceVersion {ResourceVersion}, older than the object held")]
    public static partial void StaleEvent(ILogger logger, string kind, string key, string? resourceVersion);

    [LoggerMessage(EventId = 9007, EventName = "KubeSynced", Level = LogLevel.Information, Message = "kubernetes: synced {Namespaces} namespaces, {Pods} pods, {Services} services, {EndpointSlices} endpoint slices")]
    public static partial void Synced(ILogger logger, int namespaces, int pods, int services, int endpointSlices);

    [LoggerMessage(EventId = 9008, EventName = "KubeChangedHandlerFailed", Level = LogLevel.Error, Message = "kubernetes: a ClusterWatch.Changed handler threw; skipped it for this snapshot")]
    public static partial void ChangedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9009, EventName = "KubeWatchStalled", Level = LogLevel.Information, Message = "kubernetes {Kind}: the watch stayed open {GraceSeconds} s past its timeoutSeconds; dropped the connection, resuming from resourceVersion {ResourceVersion}")]
    public static partial void WatchStalled(ILogger logger, string kind, double graceSeconds, string? resourceVersion);
}
