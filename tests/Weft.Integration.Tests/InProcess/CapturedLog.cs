using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Weft.Lab.Mesh;

namespace Weft.Integration.Tests.InProcess;

/// <summary>
/// The in-process agent's log, kept as the entries the lab parses from an agent's JSON log, so the
/// tests read its events and access records the way they read a separate agent's.
/// </summary>
internal sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<AgentLogEntry> entries = new();

    public IReadOnlyCollection<AgentLogEntry> Entries => entries;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public IEnumerable<AccessRecord> AccessRecords(int skip = 0) =>
        entries.Skip(skip).Where(e => e.EventId == AccessRecord.EventId).Select(AccessRecord.From);

    /// <summary>Waits for an entry after the first <paramref name="skip"/> that matches.</summary>
    public async Task<AgentLogEntry> WaitForAsync(Func<AgentLogEntry, bool> match, TimeSpan timeout, int skip = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (entries.Skip(skip).FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                var errors = string.Join("\n", entries.Where(e => e.Level is "Error" or "Warning").Select(e => e.Message));
                throw new TimeoutException($"no matching log entry within {timeout}; warnings and errors so far:\n{errors}");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    public async Task<AccessRecord> WaitForAccessAsync(Func<AccessRecord, bool> match, TimeSpan timeout, int skip = 0) =>
        AccessRecord.From(await WaitForAsync(e => e.EventId == AccessRecord.EventId && match(AccessRecord.From(e)), timeout, skip).ConfigureAwait(false));

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    values[key] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                }
            }

            var message = formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})");
            log.entries.Enqueue(new AgentLogEntry(eventId.Id, category, logLevel.ToString(), message, values));
        }
    }
}
