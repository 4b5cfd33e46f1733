using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using Weft.Telemetry.Tests.Support;

namespace Weft.Telemetry.Tests;

/// <summary>The exact text of small scrapes: one per kind of instrument, naming, escaping, label sets.</summary>
public sealed class PrometheusTextFormatTests
{
    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    [Fact]
    public async Task Counter_without_total_gets_the_suffix()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("weft.requests", description: "Requests served.").Add(3, Tag("method", "GET"));

        Assert.Equal(
            """
            # HELP weft_requests_total Requests served.
            # TYPE weft_requests_total counter
            weft_requests_total{method="GET"} 3

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Counter_already_ending_in_total_keeps_its_name()
    {
        using var h = new MetricsHarness();
        var opened = h.Meter.CreateCounter<long>("istio_tcp_connections_opened_total", description: "TCP connections opened.");
        opened.Add(2);
        opened.Add(5);

        Assert.Equal(
            """
            # HELP istio_tcp_connections_opened_total TCP connections opened.
            # TYPE istio_tcp_connections_opened_total counter
            istio_tcp_connections_opened_total 7

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Double_counter_and_observable_counter_are_counters()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<double>("weft.cpu.seconds", description: "CPU time.").Add(1.25);
        h.Meter.CreateObservableCounter("weft.bytes", () => 1024L, description: "Bytes.");

        Assert.Equal(
            """
            # HELP weft_cpu_seconds_total CPU time.
            # TYPE weft_cpu_seconds_total counter
            weft_cpu_seconds_total 1.25
            # HELP weft_bytes_total Bytes.
            # TYPE weft_bytes_total counter
            weft_bytes_total 1024

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Up_down_counters_are_gauges_and_go_negative()
    {
        using var h = new MetricsHarness();
        var active = h.Meter.CreateUpDownCounter<long>("weft.connections.active", description: "Open connections.");
        active.Add(5);
        active.Add(-7);
        h.Meter.CreateObservableUpDownCounter("weft.queue.depth", () => 0.5, description: "Queue depth.");

        Assert.Equal(
            """
            # HELP weft_connections_active Open connections.
            # TYPE weft_connections_active gauge
            weft_connections_active -2
            # HELP weft_queue_depth Queue depth.
            # TYPE weft_queue_depth gauge
            weft_queue_depth 0.5

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Observable_gauges_write_each_measurement_and_special_doubles()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateObservableGauge("weft.temperature", () => new[]
        {
            new Measurement<double>(double.NaN, Tag("probe", "nan")),
            new Measurement<double>(double.PositiveInfinity, Tag("probe", "pos")),
            new Measurement<double>(double.NegativeInfinity, Tag("probe", "neg")),
            new Measurement<double>(1e21, Tag("probe", "big")),
            new Measurement<double>(-0.001, Tag("probe", "small")),
        }, description: "Temperature.");
        h.Meter.CreateObservableGauge("weft.pods", () => 12L);

        Assert.Equal(
            """
            # HELP weft_temperature Temperature.
            # TYPE weft_temperature gauge
            weft_temperature{probe="nan"} NaN
            weft_temperature{probe="pos"} +Inf
            weft_temperature{probe="neg"} -Inf
            weft_temperature{probe="big"} 1E+21
            weft_temperature{probe="small"} -0.001
            # TYPE weft_pods gauge
            weft_pods 12

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Histogram_buckets_are_cumulative_with_inf_sum_and_count()
    {
        using var h = new MetricsHarness(b => b.AddView("weft.latency", new ExplicitBucketHistogramConfiguration { Boundaries = [0.005, 1, 10] }));
        var latency = h.Meter.CreateHistogram<double>("weft.latency", description: "Latency.");
        foreach (var v in new[] { 0.001, 0.5, 5, 50, 0.75 })
        {
            latency.Record(v, Tag("route", "a"));
        }

        latency.Record(3, Tag("route", "b"));

        Assert.Equal(
            """
            # HELP weft_latency Latency.
            # TYPE weft_latency histogram
            weft_latency_bucket{route="a",le="0.005"} 1
            weft_latency_bucket{route="a",le="1"} 3
            weft_latency_bucket{route="a",le="10"} 4
            weft_latency_bucket{route="a",le="+Inf"} 5
            weft_latency_sum{route="a"} 56.251
            weft_latency_count{route="a"} 5
            weft_latency_bucket{route="b",le="0.005"} 0
            weft_latency_bucket{route="b",le="1"} 0
            weft_latency_bucket{route="b",le="10"} 1
            weft_latency_bucket{route="b",le="+Inf"} 1
            weft_latency_sum{route="b"} 3
            weft_latency_count{route="b"} 1

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Label_values_and_help_are_escaped()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("weft.escapes", description: "Line one\nback\\slash \"quoted\"")
            .Add(1, Tag("path", "C:\\dir\\\"x\"\nnext"));

        // HELP escapes backslash and newline only; label values also the double quote.
        Assert.Equal(
            """
            # HELP weft_escapes_total Line one\nback\\slash "quoted"
            # TYPE weft_escapes_total counter
            weft_escapes_total{path="C:\\dir\\\"x\"\nnext"} 1

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Metric_and_label_names_are_sanitised()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("weft.tcp/bytes-sent").Add(
            9,
            Tag("peer.address", "10.0.0.1"),
            Tag("1st", "x"),
            Tag("a:b", "y"),
            Tag("naïve", "z"));

        // Label names sort as OpenTelemetry keeps them (by original key); colons are kept in metric names only.
        Assert.Equal(
            """
            # TYPE weft_tcp_bytes_sent_total counter
            weft_tcp_bytes_sent_total{_1st="x",a_b="y",na_ve="z",peer_address="10.0.0.1"} 9

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Multiple_label_sets_are_separate_series_in_one_family()
    {
        using var h = new MetricsHarness();
        var requests = h.Meter.CreateCounter<long>("weft.requests", description: "Requests.");
        requests.Add(1, Tag("method", "GET"), Tag("code", 200));
        requests.Add(1, Tag("method", "POST"), Tag("code", 500));
        requests.Add(1, Tag("method", "GET"), Tag("code", 200));
        requests.Add(4);

        // OpenTelemetry keeps the series without attributes first, then the others as they came.
        Assert.Equal(
            """
            # HELP weft_requests_total Requests.
            # TYPE weft_requests_total counter
            weft_requests_total 4
            weft_requests_total{code="200",method="GET"} 2
            weft_requests_total{code="500",method="POST"} 1

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Label_values_of_other_types_use_invariant_text()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("weft.typed").Add(
            1,
            Tag("a_bool", true),
            Tag("b_double", 0.5),
            Tag("c_long", -42L),
            Tag("d_array", new[] { "x", "y" }),
            Tag("e_null", null));

        Assert.Equal(
            """
            # TYPE weft_typed_total counter
            weft_typed_total{a_bool="true",b_double="0.5",c_long="-42",d_array="x,y",e_null=""} 1

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Empty_scrapes_and_instruments_without_points_write_nothing()
    {
        using var h = new MetricsHarness();
        Assert.Equal(string.Empty, await h.ScrapeAsync());

        h.Meter.CreateCounter<long>("weft.never.added", description: "Never added to.");
        h.Meter.CreateHistogram<double>("weft.never.recorded");
        h.Meter.CreateObservableGauge("weft.nothing.observed", () => Array.Empty<Measurement<long>>());
        Assert.Equal(string.Empty, await h.ScrapeAsync());

        h.Meter.CreateCounter<long>("weft.added").Add(1);
        Assert.Equal(
            """
            # TYPE weft_added_total counter
            weft_added_total 1

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task Scrapes_are_cumulative()
    {
        using var h = new MetricsHarness();
        var counter = h.Meter.CreateCounter<long>("weft.hits");
        counter.Add(2);
        Assert.EndsWith("weft_hits_total 2\n", await h.ScrapeAsync(), StringComparison.Ordinal);
        counter.Add(3);
        Assert.EndsWith("weft_hits_total 5\n", await h.ScrapeAsync(), StringComparison.Ordinal);
        Assert.EndsWith("weft_hits_total 5\n", await h.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_family_from_two_meters_has_one_header()
    {
        using var other = new Meter("weft.test.other." + Guid.NewGuid().ToString("N"));
        using var h = new MetricsHarness(extraMeter: other.Name);
        h.Meter.CreateCounter<long>("weft.shared", description: "Shared.").Add(1, Tag("meter", "first"));
        other.CreateCounter<long>("weft.shared", description: "Shared.").Add(2, Tag("meter", "second"));

        Assert.Equal(
            """
            # HELP weft_shared_total Shared.
            # TYPE weft_shared_total counter
            weft_shared_total{meter="first"} 1
            weft_shared_total{meter="second"} 2

            """,
            await h.ScrapeAsync());
    }

    [Fact]
    public async Task An_instrument_whose_family_has_another_type_is_left_out_and_reported_once()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("weft.clash").Add(1);
        h.Meter.CreateUpDownCounter<long>("weft.clash_total").Add(5);

        const string Expected = """
            # TYPE weft_clash_total counter
            weft_clash_total 1

            """;
        Assert.Equal(Expected, await h.ScrapeAsync());
        Assert.Equal(Expected, await h.ScrapeAsync());
        var reported = Assert.Single(h.Logger.Events(8021));
        Assert.Contains("weft.clash_total", reported.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exponential_histograms_are_left_out_and_reported_once()
    {
        using var h = new MetricsHarness(b => b.AddView("weft.exp", new Base2ExponentialBucketHistogramConfiguration()));
        h.Meter.CreateHistogram<double>("weft.exp").Record(1);
        h.Meter.CreateCounter<long>("weft.kept").Add(1);

        const string Expected = """
            # TYPE weft_kept_total counter
            weft_kept_total 1

            """;
        Assert.Equal(Expected, await h.ScrapeAsync());
        Assert.Equal(Expected, await h.ScrapeAsync());
        Assert.Contains("weft.exp", Assert.Single(h.Logger.Events(8020)).Message, StringComparison.Ordinal);
    }
}
