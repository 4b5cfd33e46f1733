using Weft.Tests.Shared;
using System.Net;
using Weft.Telemetry.Admin;
using Weft.Telemetry.Prometheus;
using Weft.Telemetry.Tests.Support;

namespace Weft.Telemetry.Tests;

/// <summary>The scrape routes served by the admin server over loopback.</summary>
public sealed class PrometheusRoutesTests
{
    [Fact]
    public async Task Metrics_and_stats_prometheus_serve_the_same_text()
    {
        using var h = new MetricsHarness();
        var opened = h.Meter.CreateCounter<long>("istio_tcp_connections_opened_total", description: "TCP connections opened.");
        opened.Add(3, new KeyValuePair<string, object?>("reporter", "destination"));
        var prefix = $"http://127.0.0.1:{LoopbackPort.Free()}/";
        await using var server = new AdminHttpServer(PrometheusRoutes.For(prefix, h.Scrape), new TestLogger<AdminHttpServer>());
        await server.StartAsync(CancellationToken.None);
        using var client = LoopbackPort.Client();

        const string Expected = """
            # HELP istio_tcp_connections_opened_total TCP connections opened.
            # TYPE istio_tcp_connections_opened_total counter
            istio_tcp_connections_opened_total{reporter="destination"} 3

            """;
        foreach (var path in new[] { "metrics", "stats/prometheus" })
        {
            using var response = await client.GetAsync(prefix + path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(PrometheusScrape.ContentType, response.Content.Headers.ContentType?.ToString());
            Assert.Equal(Expected.Length, response.Content.Headers.ContentLength);
            Assert.Equal(Expected, await response.Content.ReadAsStringAsync());
        }

        opened.Add(1, new KeyValuePair<string, object?>("reporter", "destination"));
        Assert.Contains("{reporter=\"destination\"} 4\n", await client.GetStringAsync(prefix + "stats/prometheus"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_collection_is_503()
    {
        var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("weft.hits").Add(1);
        var prefix = $"http://127.0.0.1:{LoopbackPort.Free()}/";
        await using var server = new AdminHttpServer(PrometheusRoutes.For(prefix, h.Scrape), new TestLogger<AdminHttpServer>());
        await server.StartAsync(CancellationToken.None);
        using var client = LoopbackPort.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(prefix + "metrics")).StatusCode);

        h.Provider.Dispose();
        using var response = await client.GetAsync(prefix + "metrics");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("metrics collection failed; see the agent's log\n", await response.Content.ReadAsStringAsync());
        h.Dispose();
    }

    [Fact]
    public void Both_paths_are_routed()
    {
        using var scrape = new PrometheusScrape();
        var routes = PrometheusRoutes.For("http://127.0.0.1:15020/", scrape);
        Assert.Equal(["/metrics", "/stats/prometheus"], routes.Select(r => r.Path));
        Assert.All(routes, r => Assert.Equal(15020, r.Port));
    }
}
