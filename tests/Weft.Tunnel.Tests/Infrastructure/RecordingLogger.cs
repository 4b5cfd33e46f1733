using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>One log event as a <see cref="RecordingLogger"/> saw it, with its structured values.</summary>
internal sealed record LogEntry(LogLevel Level, int EventId, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception)
{
    public string? Value(string name) => Values.TryGetValue(name, out var v) ? v?.ToString() : null;
}

/// <summary>A logger that keeps every event (for assertions) and passes it on (to the test output, say).</summary>
internal sealed class RecordingLogger(ILogger? next = null) : ILogger
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    public IReadOnlyList<LogEntry> Events(int eventId) => [.. entries.Where(e => e.EventId == eventId)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value)
            : [];
        entries.Enqueue(new LogEntry(logLevel, eventId.Id, formatter(state, exception), values, exception));
        next?.Log(logLevel, eventId, state, exception, formatter);
    }
}
