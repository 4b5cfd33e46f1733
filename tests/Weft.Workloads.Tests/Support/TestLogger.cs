using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Workloads.Tests;

/// <summary>Keeps what was logged, so tests can assert on event ids and messages.</summary>
internal sealed class TestLogger : ILogger
{
    private readonly ConcurrentQueue<Entry> entries = new();

    public IReadOnlyList<Entry> Entries => [.. entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue(new Entry(logLevel, eventId.Id, formatter(state, exception), exception));

    public IEnumerable<Entry> WithId(int eventId) => Entries.Where(e => e.EventId == eventId);

    internal sealed record Entry(LogLevel Level, int EventId, string Message, Exception? Exception);
}
