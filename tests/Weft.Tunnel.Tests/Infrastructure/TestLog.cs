using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Weft.Tunnel.Tests.Infrastructure;

internal static class TestLog
{
    public static ILogger Null => NullLogger.Instance;

    /// <summary>A logger writing every event, with milliseconds since creation, to the test's output.</summary>
    public static ILogger To(ITestOutputHelper output, string name) => new OutputLogger(output, name);

    private sealed class OutputLogger(ITestOutputHelper output, string name) : ILogger
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{clock.ElapsedMilliseconds,6} {name} {eventId.Id} {formatter(state, exception)}");
            }
            catch (InvalidOperationException)
            {
                // the test has finished
            }
        }
    }
}
