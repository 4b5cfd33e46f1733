using Microsoft.Extensions.Logging;

namespace Weft.Workloads;

// Event ids 4001-4099 belong to Weft.Workloads (1xxx capture, 2xxx proxy, 3xxx agent enrolment).
// Never reuse or renumber one: log pipelines match on them.
public sealed partial class LocalConfigSource
{
    [LoggerMessage(EventId = 4001, EventName = "ConfigLoaded", Level = LogLevel.Information,
        Message = "loaded config {Path}: node {Node}, {Workloads} workloads ({Enrolled} enrolled here), {Services} services")]
    private static partial void LogLoaded(ILogger logger, string path, string node, int workloads, int enrolled, int services);

    [LoggerMessage(EventId = 4002, EventName = "ConfigReloaded", Level = LogLevel.Information,
        Message = "reloaded config {Path}: node {Node}, {Workloads} workloads ({Enrolled} enrolled here), {Services} services")]
    private static partial void LogReloaded(ILogger logger, string path, string node, int workloads, int enrolled, int services);

    [LoggerMessage(EventId = 4003, EventName = "ConfigRejected", Level = LogLevel.Error,
        Message = "config {Path} rejected, keeping the last good config: {Error}")]
    private static partial void LogRejected(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 4004, EventName = "ConfigRecovered", Level = LogLevel.Information,
        Message = "config {Path} is valid again and the same as the running config")]
    private static partial void LogRecovered(ILogger logger, string path);

    [LoggerMessage(EventId = 4005, EventName = "ConfigUnchanged", Level = LogLevel.Debug,
        Message = "config {Path} touched but unchanged")]
    private static partial void LogUnchanged(ILogger logger, string path);

    [LoggerMessage(EventId = 4006, EventName = "ConfigWatcherUnavailable", Level = LogLevel.Warning,
        Message = "cannot watch {Directory} for changes ({Error}); relying on the periodic check every {Interval}")]
    private static partial void LogWatcherUnavailable(ILogger logger, string directory, string error, TimeSpan interval);

    [LoggerMessage(EventId = 4007, EventName = "ConfigWatcherError", Level = LogLevel.Warning,
        Message = "file watcher for {Directory} reported an error ({Error}); checking the config now")]
    private static partial void LogWatcherError(ILogger logger, string directory, string error);

    [LoggerMessage(EventId = 4008, EventName = "ConfigSubscriberFailed", Level = LogLevel.Error,
        Message = "a subscriber to config {Path} changes failed")]
    private static partial void LogSubscriberFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 4009, EventName = "ConfigCheckFailed", Level = LogLevel.Error,
        Message = "checking config {Path} for changes failed unexpectedly")]
    private static partial void LogCheckFailed(ILogger logger, string path, Exception exception);
}
