using System.Diagnostics.Metrics;
using Weft.Platform.Transfer;

namespace Weft.Telemetry.Metrics;

/// <summary>
/// Istio's TCP metrics (names and labels as its dashboards use them), for every proxied
/// connection on both sides. Byte counters are observed: each collection adds up the bytes of
/// closed connections and the running counts of open ones, so a long connection's bytes show
/// while it lasts and the relays never touch an instrument per chunk.
/// </summary>
public sealed class TcpMetrics
{
    private readonly Counter<long> opened;
    private readonly Counter<long> closed;
    private readonly Counter<long> failed;
    private readonly Lock sync = new();
    private readonly Dictionary<TcpLabels, Series> series = [];
    private readonly HashSet<TcpConnectionMetrics> open = [];

    public TcpMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        opened = meter.CreateCounter<long>("istio_tcp_connections_opened_total", description: "TCP connections opened");
        closed = meter.CreateCounter<long>("istio_tcp_connections_closed_total", description: "TCP connections closed");
        failed = meter.CreateCounter<long>("istio_tcp_connections_failed_total", description: "TCP connections that could not be proxied (refused by policy, upstream unreachable)");
        meter.CreateObservableCounter("istio_tcp_sent_bytes_total", () => Observe(sent: true), unit: "By", description: "Bytes sent by the client towards the destination");
        meter.CreateObservableCounter("istio_tcp_received_bytes_total", () => Observe(sent: false), unit: "By", description: "Bytes received by the client from the destination");
    }

    /// <summary>The connection is proxied from now on: counts it opened and returns what the relay counts into.</summary>
    public TcpConnectionMetrics Opened(TcpLabels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var s = SeriesOf(labels);
        var connection = new TcpConnectionMetrics(this, labels, s.Tags);
        lock (sync)
        {
            s.Carried = true;
            open.Add(connection);
        }

        opened.Add(1, connection.Tags);
        return connection;
    }

    /// <summary>A connection that was never proxied (denied, upstream unreachable).</summary>
    public void Failed(TcpLabels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        failed.Add(1, SeriesOf(labels).Tags);
    }

    internal void Closed(TcpConnectionMetrics connection)
    {
        lock (sync)
        {
            // Moved under the lock: a collection sees the bytes either live or closed, never both or neither.
            if (!open.Remove(connection))
            {
                return;
            }

            var s = series[connection.Labels];
            s.Sent += connection.Counts.Sent;
            s.Received += connection.Counts.Received;
        }

        closed.Add(1, connection.Tags);
    }

    private Series SeriesOf(TcpLabels labels)
    {
        lock (sync)
        {
            if (!series.TryGetValue(labels, out var s))
            {
                s = new Series(labels.ToTags());
                series[labels] = s;
            }

            return s;
        }
    }

    private List<Measurement<long>> Observe(bool sent)
    {
        lock (sync)
        {
            // Only label sets that carried a connection: a refused one moves no bytes and gets no byte series.
            var totals = series.Where(kv => kv.Value.Carried).ToDictionary(kv => kv.Key, kv => sent ? kv.Value.Sent : kv.Value.Received);
            foreach (var c in open)
            {
                totals[c.Labels] += sent ? c.Counts.Sent : c.Counts.Received;
            }

            return [.. totals.Select(kv => new Measurement<long>(kv.Value, series[kv.Key].Tags))];
        }
    }

    private sealed class Series(KeyValuePair<string, object?>[] tags)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public long Sent { get; set; }

        public long Received { get; set; }

        public bool Carried { get; set; }
    }
}

/// <summary>One proxied connection's metrics: the relay counts bytes into <see cref="Counts"/>; dispose when it ends.</summary>
public sealed class TcpConnectionMetrics : IDisposable
{
    private readonly TcpMetrics owner;
    private readonly KeyValuePair<string, object?>[] tags;
    private int closed;

    internal TcpConnectionMetrics(TcpMetrics owner, TcpLabels labels, KeyValuePair<string, object?>[] tags)
    {
        this.owner = owner;
        this.tags = tags;
        Labels = labels;
    }

    public TcpLabels Labels { get; }

    public TransferCounts Counts { get; } = new();

    internal ReadOnlySpan<KeyValuePair<string, object?>> Tags => tags;

    /// <summary>The connection has closed: counts it and folds its bytes into its series.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref closed, 1) == 0)
        {
            owner.Closed(this);
        }
    }
}
