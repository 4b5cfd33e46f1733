using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Kubernetes.Tests;

/// <summary>Keeps every log event, so tests can check what was logged and how often.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(int EventId, LogLevel Level, string Message)> _events = new();

    public IReadOnlyList<(int EventId, LogLevel Level, string Message)> Events => [.. _events];

    public int Count(int eventId, string? containing = null) =>
        Events.Count(e => e.EventId == eventId && (containing is null || e.Message.Contains(containing, StringComparison.Ordinal)));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _events.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
}
