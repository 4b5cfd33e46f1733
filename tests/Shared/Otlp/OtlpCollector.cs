using System.Diagnostics;

namespace Weft.Tests.Shared.Otlp;

/// <summary>
/// What an OTLP receiver the test runs has taken in, whatever the transport: decoded spans and
/// metrics, and one line per request so a failing wait can say what did arrive.
/// </summary>
internal abstract class OtlpCollector : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<OtlpSpan> _spans = [];
    private readonly List<OtlpMetric> _metrics = [];
    private readonly List<string> _requests = [];

    /// <summary>The URL to give the exporter as its endpoint.</summary>
    public abstract Uri Endpoint { get; }

    /// <summary>The path traces are posted to.</summary>
    public abstract string TracesPath { get; }

    /// <summary>The path metrics are posted to.</summary>
    public abstract string MetricsPath { get; }

    /// <summary>One line per request: method, path, content type, framing, status.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_gate)
            {
                return [.. _spans];
            }
        }
    }

    public IReadOnlyList<OtlpMetric> Metrics
    {
        get
        {
            lock (_gate)
            {
                return [.. _metrics];
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> received spans match, and returns all that match.</summary>
    public Task<IReadOnlyList<OtlpSpan>> WaitForSpansAsync(Func<OtlpSpan, bool> match, int count, TimeSpan timeout) =>
        WaitAsync(() => Spans, match, count, timeout, "spans");

    /// <summary>Waits until a metric named <paramref name="name"/> arrived from <paramref name="serviceInstanceId"/>.</summary>
    public Task<IReadOnlyList<OtlpMetric>> WaitForMetricAsync(string name, string serviceInstanceId, TimeSpan timeout) =>
        WaitAsync(() => Metrics, m => m.Name == name && m.ServiceInstanceId == serviceInstanceId, 1, timeout, "metrics");

    /// <summary>Whether the line in <see cref="Requests"/> records an export the receiver took.</summary>
    public abstract bool Accepted(string request);

    public abstract ValueTask DisposeAsync();

    protected void AddSpans(IEnumerable<OtlpSpan> spans)
    {
        lock (_gate)
        {
            _spans.AddRange(spans);
        }
    }

    protected void AddMetrics(IEnumerable<OtlpMetric> metrics)
    {
        lock (_gate)
        {
            _metrics.AddRange(metrics);
        }
    }

    protected void AddRequest(string line)
    {
        lock (_gate)
        {
            _requests.Add(line);
        }
    }

    private async Task<IReadOnlyList<T>> WaitAsync<T>(Func<IReadOnlyList<T>> received, Func<T, bool> match, int count, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var all = received();
            var found = all.Where(match).ToList();
            if (found.Count >= count)
            {
                return found;
            }

            if (clock.Elapsed > timeout)
            {
                var seen = typeof(T) == typeof(OtlpMetric)
                    ? string.Join(", ", all.Distinct())
                    : string.Join("\n  ", all);
                Assert.Fail($"{found.Count} of {count} matching {what} after {timeout}; received:\n  {seen}\nrequests:\n  {string.Join("\n  ", Requests)}");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
