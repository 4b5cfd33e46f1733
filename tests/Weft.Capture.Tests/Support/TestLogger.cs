using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Capture.Tests.Support;

/// <summary>Keeps what BpfCapture logged, so tests can assert on event ids and messages.</summary>
internal sealed class TestLogger : ILogger
{
    private readonly ConcurrentQueue<Entry> entries = new();

    public IReadOnlyList<Entry> Entries => [.. entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue(new Entry(logLevel, eventId.Id, formatter(state, exception)));

    public IEnumerable<Entry> WithId(int eventId) => Entries.Where(e => e.EventId == eventId);

    public override string ToString() => string.Join(Environment.NewLine, Entries.Select(e => $"{e.Level} {e.EventId}: {e.Message}"));

    internal sealed record Entry(LogLevel Level, int EventId, string Message);
}
