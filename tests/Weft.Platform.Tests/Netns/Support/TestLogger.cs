using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Platform.Tests.Netns;

/// <summary>Keeps what was logged, so tests can assert on event ids.</summary>
internal sealed class TestLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, int EventId, string Message)> entries = new();

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries => [.. entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));

    public int Count(int eventId) => Entries.Count(e => e.EventId == eventId);
}
