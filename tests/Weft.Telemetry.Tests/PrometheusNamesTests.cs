using Weft.Telemetry.Prometheus;

namespace Weft.Telemetry.Tests;

/// <summary>Name rules where the SDK would not let such names through (it validates instrument names).</summary>
public sealed class PrometheusNamesTests
{
    [Theory]
    [InlineData("weft_ok", "weft_ok")]
    [InlineData("http.server.duration", "http_server_duration")]
    [InlineData("job:rate:5m", "job:rate:5m")]
    [InlineData("9lives", "_9lives")]
    [InlineData("a b-c/d", "a_b_c_d")]
    [InlineData("", "_")]
    public void Metric_names(string name, string expected) => Assert.Equal(expected, PrometheusNames.MetricName(name));

    [Theory]
    [InlineData("peer.address", "peer_address")]
    [InlineData("a:b", "a_b")]
    [InlineData("0x", "_0x")]
    [InlineData("ünï", "_n_")]
    [InlineData("", "_")]
    public void Label_names(string name, string expected) => Assert.Equal(expected, PrometheusNames.LabelName(name));

    [Fact]
    public void Valid_names_are_returned_as_they_are()
    {
        const string Name = "istio_tcp_received_bytes_total";
        Assert.Same(Name, PrometheusNames.MetricName(Name));
    }

    [Theory]
    [InlineData("weft_requests", "weft_requests_total")]
    [InlineData("istio_requests_total", "istio_requests_total")]
    [InlineData("weft_totals", "weft_totals_total")]
    public void Counter_names(string name, string expected) => Assert.Equal(expected, PrometheusNames.CounterName(name));
}
