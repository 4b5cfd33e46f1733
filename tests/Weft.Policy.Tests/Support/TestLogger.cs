using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Policy.Tests;

/// <summary>Keeps what was logged, so tests can assert on event ids and messages.</summary>
internal sealed class TestLogger : ILogger
{
    private readonly ConcurrentQueue<(int EventId, string Message)> entries = new();

    public IReadOnlyList<(int EventId, string Message)> Entries => [.. entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue((eventId.Id, formatter(state, exception)));
}
