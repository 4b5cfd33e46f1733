using Weft.Tests.Shared;
using System.Diagnostics;
using Weft.Telemetry.Admin;
using Weft.Telemetry.Prometheus;
using Weft.Telemetry.Tests.Support;

namespace Weft.Telemetry.Tests;

/// <summary>A real Prometheus scrapes our server at /stats/prometheus, as it would scrape ztunnel's.</summary>
public sealed class PrometheusServerScrapeTests
{
    [ToolFact(HostTool.Prometheus)]
    public async Task Prometheus_scrapes_our_server_and_sees_what_was_recorded()
    {
        var clock = Stopwatch.StartNew();
        using var h = new MetricsHarness(EveryKindOfMetric.Configure);
        EveryKindOfMetric.Record(h.Meter);
        var pulls = h.Meter.CreateCounter<long>("weft.test.pulls", description: "Pulls.");
        pulls.Add(5);

        var port = LoopbackPort.Free();
        await using var server = new AdminHttpServer(PrometheusRoutes.For($"http://127.0.0.1:{port}/", h.Scrape), new TestLogger<AdminHttpServer>());
        await server.StartAsync(CancellationToken.None);
        await using var prometheus = PrometheusServer.Start(port, "/stats/prometheus");
        await prometheus.WaitForTargetUpAsync(TimeSpan.FromSeconds(10));

        var timeout = TimeSpan.FromSeconds(5);
        var opened = await prometheus.WaitForValueAsync("istio_tcp_connections_opened_total{job=\"weft\"}", 42, timeout);
        Assert.Equal("destination", opened["reporter"]);
        Assert.Equal("web \"v2\"\\canary\nnext", opened["destination_workload"]); // escaping survived a real parser
        Assert.Equal($"127.0.0.1:{port}", opened["instance"]);
        await prometheus.WaitForValueAsync("weft_cpu_seconds_total", 0.125, timeout);
        await prometheus.WaitForValueAsync("weft_connections_active", -3, timeout);
        await prometheus.WaitForValueAsync("weft_memory_bytes{area=\"heap\"}", 1.5e9, timeout);
        await prometheus.WaitForValueAsync("weft_connection_duration_seconds_bucket{le=\"0.1\"}", 2, timeout);
        await prometheus.WaitForValueAsync("weft_connection_duration_seconds_count", 3, timeout);
        await prometheus.WaitForValueAsync("count(weft_connection_duration_seconds_bucket)", 5, timeout);
        await prometheus.WaitForValueAsync("weft_test_pulls_total", 5, timeout);

        // A later increment shows up at the next scrape: the counter is cumulative and live.
        pulls.Add(7);
        await prometheus.WaitForValueAsync("weft_test_pulls_total", 12, timeout);
        await prometheus.WaitForValueAsync("scrape_samples_scraped{job=\"weft\"}", SampleCount(await h.ScrapeAsync()), timeout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    private static int SampleCount(string text) =>
        text.Split('\n').Count(line => line.Length > 0 && !line.StartsWith('#'));
}
