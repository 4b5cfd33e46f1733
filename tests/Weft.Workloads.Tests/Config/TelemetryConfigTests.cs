using System.Net;

namespace Weft.Workloads.Tests;

/// <summary>The `telemetry` section: listeners, OTLP export, sampling and access log, with their defaults.</summary>
public sealed class TelemetryConfigTests
{
    [Fact]
    public void Defaults_when_the_section_is_absent()
    {
        var t = ExampleConfig.Parse("node: node-a\n").Telemetry;

        Assert.True(t.Prometheus.Enabled);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 15020), t.Prometheus.Address);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 15021), t.Readiness.Address);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 15000), t.Admin.Address);
        Assert.Null(t.Otlp);
        Assert.Equal(0.01, t.Tracing.SamplingRatio);
        Assert.True(t.AccessLog.Enabled);
        Assert.Equal(AccessLogFormat.Json, t.AccessLog.Format);
        Assert.Equal(TelemetrySettings.Default, t);
    }

    [Theory]
    [InlineData("telemetry:\n")]
    [InlineData("telemetry: {}\n")]
    [InlineData("telemetry:\n  prometheus:\n  readiness: {}\n  admin: ~\n  otlp:\n  tracing: {}\n  accessLog: null\n")]
    public void An_empty_section_takes_every_default(string section)
    {
        var t = ExampleConfig.Parse("node: node-a\n" + section).Telemetry;

        Assert.Equal(TelemetrySettings.Default, t);
        Assert.Null(t.Otlp);
    }

    [Fact]
    public void The_docs_example_is_the_defaults_plus_a_collector()
    {
        var t = ExampleConfig.Parse(TelemetryExampleConfig.Text).Telemetry;

        var otlp = Assert.IsType<OtlpSettings>(t.Otlp);
        Assert.Equal(new Uri("http://127.0.0.1:4317"), otlp.Endpoint);
        Assert.Equal(TelemetrySettings.Default with { Otlp = new OtlpSettings { Endpoint = new Uri("http://127.0.0.1:4317") } }, t);
    }

    [Fact]
    public void Every_field_parsed()
    {
        var t = ExampleConfig.Parse("""
            node: node-a
            telemetry:
              prometheus:
                enabled: false
                address: 10.0.0.5:9090
              readiness:
                address: 10.0.0.5:9091
              admin:
                address: 127.0.0.2:9000
              otlp:
                endpoint: https://collector.monitoring.svc:4318
                protocol: http/protobuf
                metrics: false
                traces: false
                interval: 2m
              tracing:
                sampling: 0.25
              accessLog:
                format: text
                enabled: false
            """).Telemetry;

        Assert.False(t.Prometheus.Enabled);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 9090), t.Prometheus.Address);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 9091), t.Readiness.Address);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 9000), t.Admin.Address);
        var otlp = Assert.IsType<OtlpSettings>(t.Otlp);
        Assert.Equal(new Uri("https://collector.monitoring.svc:4318"), otlp.Endpoint);
        Assert.Equal(OtlpProtocol.HttpProtobuf, otlp.Protocol);
        Assert.False(otlp.ExportMetrics);
        Assert.False(otlp.ExportTraces);
        Assert.Equal(TimeSpan.FromMinutes(2), otlp.MetricExportInterval);
        Assert.Equal(0.25, t.Tracing.SamplingRatio);
        Assert.Equal(AccessLogFormat.Text, t.AccessLog.Format);
        Assert.False(t.AccessLog.Enabled);
    }

    [Fact]
    public void Otlp_with_only_an_endpoint_takes_the_defaults()
    {
        var otlp = Assert.IsType<OtlpSettings>(ExampleConfig.Parse("node: node-a\ntelemetry:\n  otlp: { endpoint: http://otel:4317 }\n").Telemetry.Otlp);

        Assert.Equal(OtlpProtocol.Grpc, otlp.Protocol);
        Assert.True(otlp.ExportMetrics);
        Assert.True(otlp.ExportTraces);
        Assert.Equal(TimeSpan.FromSeconds(10), otlp.MetricExportInterval);
    }

    [Fact]
    public void IPv6_addresses()
    {
        var t = ExampleConfig.Parse("""
            node: node-a
            telemetry:
              prometheus: { address: "[::]:15020" }
              readiness: { address: "[fd00:77::2]:15021" }
              admin: { address: "[::1]:15000" }
            """).Telemetry;

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 15020), t.Prometheus.Address);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00:77::2"), 15021), t.Readiness.Address);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 15000), t.Admin.Address);
    }

    [Theory]
    [InlineData("127.0.0.1:15000")]
    [InlineData("127.1.2.3:15000")]
    [InlineData("\"[::1]:15001\"")]
    public void Admin_on_any_loopback_address(string address)
    {
        var t = ExampleConfig.Parse($"node: node-a\ntelemetry:\n  admin:\n    address: {address}\n").Telemetry;

        Assert.True(IPAddress.IsLoopback(t.Admin.Address.Address));
    }

    [Theory]
    [InlineData("10.0.0.1:15020", "10.0.0.2:15020")]
    [InlineData("0.0.0.0:15020", "\"[::1]:15020\"")]
    [InlineData("\"[fd00::1]:15020\"", "\"[fd00::2]:15020\"")]
    [InlineData("0.0.0.0:15020", "0.0.0.0:15022")]
    public void Other_addresses_or_other_ports_do_not_clash(string prometheus, string readiness)
    {
        var t = ExampleConfig.Parse($"node: node-a\ntelemetry:\n  prometheus:\n    address: {prometheus}\n  readiness:\n    address: {readiness}\n").Telemetry;

        Assert.NotEqual(t.Prometheus.Address, t.Readiness.Address);
    }

    [Fact]
    public void A_disabled_prometheus_endpoint_binds_nothing_so_its_address_may_repeat()
    {
        var t = ExampleConfig.Parse("node: node-a\ntelemetry:\n  prometheus:\n    enabled: false\n    address: 0.0.0.0:15021\n").Telemetry;

        Assert.False(t.Prometheus.Enabled);
        Assert.Equal(t.Readiness.Address, t.Prometheus.Address);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("\"true\"", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("'false'", false)]
    public void Booleans(string text, bool expected)
    {
        var t = ExampleConfig.Parse($"node: node-a\ntelemetry:\n  accessLog:\n    enabled: {text}\n").Telemetry;

        Assert.Equal(expected, t.AccessLog.Enabled);
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("1", 1.0)]
    [InlineData("1.0", 1.0)]
    [InlineData(".5", 0.5)]
    [InlineData("1e-3", 0.001)]
    [InlineData("\"0.1\"", 0.1)]
    public void Sampling_ratios(string text, double expected)
    {
        var t = ExampleConfig.Parse($"node: node-a\ntelemetry:\n  tracing:\n    sampling: {text}\n").Telemetry;

        Assert.Equal(expected, t.Tracing.SamplingRatio);
    }

    [Theory]
    [InlineData("1s", 1)]
    [InlineData("90s", 90)]
    [InlineData("1m", 60)]
    [InlineData("60m", 3600)]
    [InlineData("1h", 3600)]
    [InlineData("3600s", 3600)]
    public void Export_intervals(string text, int seconds)
    {
        var t = ExampleConfig.Parse($"node: node-a\ntelemetry:\n  otlp:\n    endpoint: http://otel:4317\n    interval: {text}\n").Telemetry;

        Assert.Equal(TimeSpan.FromSeconds(seconds), Assert.IsType<OtlpSettings>(t.Otlp).MetricExportInterval);
    }
}
