using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>A logger that keeps every event, so a test can wait for one (e.g. "GOAWAY received") as a signal.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<(int Id, string Message)> events = new();
    private readonly Lock sync = new();
    private readonly List<(int Id, TaskCompletionSource<string> Seen)> waiters = [];

    public IReadOnlyCollection<(int Id, string Message)> Events => events;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        events.Enqueue((eventId.Id, message));
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
    }

    /// <summary>The message of the first event <paramref name="id"/>, logged already or to come.</summary>
    public Task<string> WaitForAsync(int id, TimeSpan? timeout = null)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (sync)
        {
            waiters.Add((id, seen));
        }

        foreach (var e in events)
        {
            if (e.Id == id)
            {
                seen.TrySetResult(e.Message);
            }
        }

        return seen.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }
}
