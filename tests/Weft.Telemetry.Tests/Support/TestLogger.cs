using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Telemetry.Tests.Support;

/// <summary>Keeps what was logged (level, event id, message, exception), so tests can assert on it.</summary>
internal sealed class TestLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message, Exception? Exception)> entries = new();

    public IReadOnlyList<(LogLevel Level, int EventId, string Message, Exception? Exception)> Entries => [.. entries];

    public IReadOnlyList<(LogLevel Level, int EventId, string Message, Exception? Exception)> Events(int eventId) =>
        [.. entries.Where(e => e.EventId == eventId)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue((logLevel, eventId.Id, formatter(state, exception), exception));
}
