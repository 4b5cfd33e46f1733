using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Metrics;

namespace Weft.Telemetry.Prometheus;

/// <summary>
/// The agent's Prometheus scrape: create one, hand it to the meter provider builder with
/// <see cref="PrometheusMeterProviderBuilderExtensions.AddWeftPrometheus"/>, then call
/// <see cref="TryWriteAsync(Stream, CancellationToken)"/> for each HTTP scrape
/// (<see cref="PrometheusRoutes"/> builds the routes that do). Each scrape collects afresh, cumulative
/// since the provider started; concurrent scrapes are served one after another, since they share the
/// formatting buffer.
/// </summary>
public sealed class PrometheusScrape : IDisposable
{
    /// <summary>The content type of the text exposition format this writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    // _state: Fresh, then Attached (the provider owns the reader) or Disposed.
    private const int Fresh = 0;
    private const int Attached = 1;
    private const int Disposed = 2;

    private readonly PrometheusTextExporter _exporter;
    private readonly BaseExportingMetricReader _reader;
    private readonly ILogger _logger;
    private readonly int _collectTimeoutMs;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _state;

    /// <param name="logger">Where metrics that cannot be exposed, and failed collections, are reported.</param>
    /// <param name="collectTimeout">How long one collection (observable callbacks included) may take; 5 s if not given.</param>
    public PrometheusScrape(ILogger? logger = null, TimeSpan? collectTimeout = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _collectTimeoutMs = (int)(collectTimeout ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_collectTimeoutMs, nameof(collectTimeout));
        _exporter = new PrometheusTextExporter(_logger);
        _reader = new BaseExportingMetricReader(_exporter)
        {
            // Prometheus expects counters and histograms to grow from the process start.
            TemporalityPreference = MetricReaderTemporalityPreference.Cumulative,
        };
    }

    /// <summary>
    /// Collects the metrics and hands their text to <paramref name="write"/> (which must not keep the
    /// memory past its return). False, with nothing written, when the collection failed: the provider
    /// is disposed, or collecting timed out. Before the provider is built there is nothing to collect:
    /// the text is empty.
    /// </summary>
    public async Task<bool> TryWriteAsync(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Collect exports synchronously on this thread; reset first so a collection that does not
            // reach the exporter cannot serve the previous scrape's text.
            _exporter.Reset();
            if (_exporter.Collect is not { } collect || !collect(_collectTimeoutMs))
            {
                PrometheusLog.CollectFailed(_logger, _collectTimeoutMs);
                return false;
            }

            await write(_exporter.Written, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Collects the metrics and writes their text to <paramref name="destination"/>; false as for the other overload.</summary>
    public Task<bool> TryWriteAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return TryWriteAsync((text, ct) => destination.WriteAsync(text, ct), cancellationToken);
    }

    /// <summary>The reader, for the one provider that will own it.</summary>
    internal MetricReader Attach()
    {
        switch (Interlocked.CompareExchange(ref _state, Attached, Fresh))
        {
            case Fresh:
                return _reader;
            case Attached:
                throw new InvalidOperationException("this PrometheusScrape is already added to a meter provider; create one per provider");
            default:
                throw new ObjectDisposedException(nameof(PrometheusScrape));
        }
    }

    /// <summary>The provider owns and disposes the reader once attached; before that, this does.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, Disposed) == Fresh)
        {
            _reader.Dispose();
        }

        _gate.Dispose();
    }
}
