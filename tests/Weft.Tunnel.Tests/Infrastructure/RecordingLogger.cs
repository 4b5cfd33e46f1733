using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>One log event as a <see cref="RecordingLogger"/> saw it, with its structured values.</summary>
internal sealed record LogEntry(LogLevel Level, int EventId, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception)
{
    public string? Value(string name) => Values.TryGetValue(name, out var v) ? v?.ToString() : null;
}

/// <summary>
/// A logger that keeps every event (for assertions, or to wait for one as a signal, e.g. "GOAWAY
/// received") and passes it on (to the test output, say).
/// </summary>
internal sealed class RecordingLogger(ILogger? next = null) : ILogger
{
    private readonly ConcurrentQueue<LogEntry> entries = new();
    private readonly Lock sync = new();
    private readonly List<(int Id, TaskCompletionSource<string> Seen)> waiters = [];

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
        var message = formatter(state, exception);
        entries.Enqueue(new LogEntry(logLevel, eventId.Id, message, values, exception));
        lock (sync)
        {
            foreach (var (id, seen) in waiters)
            {
                if (id == eventId.Id)
                {
                    seen.TrySetResult(message);
                }
            }
        }

        next?.Log(logLevel, eventId, state, exception, formatter);
    }

    /// <summary>The message of the first event <paramref name="id"/>, logged already or to come.</summary>
    public Task<string> WaitForAsync(int id, TimeSpan? timeout = null)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (sync)
        {
            waiters.Add((id, seen));
        }

        foreach (var e in entries)
        {
            if (e.EventId == id)
            {
                seen.TrySetResult(e.Message);
            }
        }

        return seen.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }
}
