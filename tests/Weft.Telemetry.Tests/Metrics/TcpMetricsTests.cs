using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Weft.Telemetry.Metrics;

namespace Weft.Telemetry.Tests.Metrics;

/// <summary>Istio's TCP metrics through the OpenTelemetry SDK (in-memory exporter): names, labels, live bytes.</summary>
public sealed class TcpMetricsTests : IDisposable
{
    private static readonly TcpLabels ClientToWeb = new()
    {
        Reporter = TcpLabels.SourceReporter,
        SourceWorkload = "client",
        SourceWorkloadNamespace = "shop",
        SourcePrincipal = "spiffe://cluster.local/ns/shop/sa/client",
        DestinationWorkload = "web",
        DestinationWorkloadNamespace = "shop",
        DestinationPrincipal = "spiffe://cluster.local/ns/shop/sa/web",
        DestinationService = "web.shop.svc.cluster.local",
        ConnectionSecurityPolicy = TcpLabels.MutualTls,
    };

    private readonly Meter meter = new($"test-{Guid.NewGuid():N}");
    private readonly List<Metric> exported = [];
    private readonly MeterProvider provider;
    private readonly TcpMetrics metrics;

    public TcpMetricsTests()
    {
        provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddInMemoryExporter(exported).Build()!;
        metrics = new TcpMetrics(meter);
    }

    public void Dispose()
    {
        provider.Dispose();
        meter.Dispose();
    }

    [Fact]
    public void Bytes_of_an_open_connection_show_before_it_closes_and_stay_after()
    {
        var connection = metrics.Opened(ClientToWeb);
        connection.Counts.AddSent(1000);
        connection.Counts.AddReceived(70);
        Assert.Equal(1000, Sum("istio_tcp_sent_bytes_total", ClientToWeb));
        Assert.Equal(70, Sum("istio_tcp_received_bytes_total", ClientToWeb));
        Assert.Equal(1, Sum("istio_tcp_connections_opened_total", ClientToWeb));
        Assert.Equal(0, Sum("istio_tcp_connections_closed_total", ClientToWeb));

        connection.Counts.AddSent(24);
        connection.Dispose();
        connection.Dispose();
        Assert.Equal(1024, Sum("istio_tcp_sent_bytes_total", ClientToWeb));
        Assert.Equal(1, Sum("istio_tcp_connections_closed_total", ClientToWeb));

        // A second connection of the same pair adds to the same series.
        using (var second = metrics.Opened(ClientToWeb with { }))
        {
            second.Counts.AddSent(1);
        }

        Assert.Equal(1025, Sum("istio_tcp_sent_bytes_total", ClientToWeb));
        Assert.Equal(2, Sum("istio_tcp_connections_opened_total", ClientToWeb));
    }

    [Fact]
    public void Every_label_istio_dashboards_use_is_there_and_each_side_has_its_own_series()
    {
        using (var source = metrics.Opened(ClientToWeb))
        using (var destination = metrics.Opened(ClientToWeb with { Reporter = TcpLabels.DestinationReporter }))
        {
            source.Counts.AddSent(5);
            destination.Counts.AddSent(7);
        }

        metrics.Failed(ClientToWeb with { ResponseFlags = "DENY" });
        Assert.Equal(5, Sum("istio_tcp_sent_bytes_total", ClientToWeb));

        // A refused connection moved no bytes: it has no byte series at all.
        Assert.DoesNotContain(Points("istio_tcp_sent_bytes_total"), p => Equals(Tag(p, "response_flags"), "DENY"));
        Assert.Equal(7, Sum("istio_tcp_sent_bytes_total", ClientToWeb with { Reporter = TcpLabels.DestinationReporter }));
        Assert.Equal(1, Sum("istio_tcp_connections_failed_total", ClientToWeb with { ResponseFlags = "DENY" }));

        var point = Points("istio_tcp_connections_opened_total").First();
        var keys = new List<string>();
        foreach (var tag in point.Tags)
        {
            keys.Add(tag.Key);
        }

        // ztunnel's CommonTrafficLabels, every one of them.
        Assert.Equal(
            ["connection_security_policy",
             "destination_app", "destination_canonical_revision", "destination_canonical_service", "destination_cluster", "destination_principal",
             "destination_service", "destination_service_name", "destination_service_namespace", "destination_version",
             "destination_workload", "destination_workload_namespace",
             "reporter", "request_protocol", "response_flags",
             "source_app", "source_canonical_revision", "source_canonical_service", "source_cluster", "source_principal", "source_version",
             "source_workload", "source_workload_namespace"],
            keys.Order(StringComparer.Ordinal));
    }

    private long Sum(string name, TcpLabels labels)
    {
        var want = labels.ToTags().ToDictionary(t => t.Key, t => t.Value);
        long total = 0;
        foreach (var p in Points(name))
        {
            var match = true;
            foreach (var tag in p.Tags)
            {
                match &= want.TryGetValue(tag.Key, out var v) && Equals(v, tag.Value);
            }

            if (match)
            {
                total += p.GetSumLong();
            }
        }

        return total;
    }

    private static object? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value;
            }
        }

        return null;
    }

    private List<MetricPoint> Points(string name)
    {
        exported.Clear();
        provider.ForceFlush();
        var points = new List<MetricPoint>();
        foreach (var metric in exported.Where(m => m.Name == name))
        {
            foreach (ref readonly var p in metric.GetMetricPoints())
            {
                points.Add(p);
            }
        }

        return points;
    }
}
