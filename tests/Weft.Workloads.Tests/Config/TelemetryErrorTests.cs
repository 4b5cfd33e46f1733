namespace Weft.Workloads.Tests;

/// <summary>Bad telemetry values: each error names the line, column and field path of the culprit.</summary>
public sealed class TelemetryErrorTests
{
    [Theory]
    [InlineData("prometheus", "enabled", "yes", "\"yes\" is not a boolean: write true or false")]
    [InlineData("prometheus", "address", "localhost:15020", "\"localhost:15020\" is not an address and port: \"localhost\" is not an IP address (host names are not allowed)")]
    [InlineData("prometheus", "address", "010.0.0.1:15020", "\"010.0.0.1:15020\" is not an address and port: \"010.0.0.1\" is not an IP address")]
    [InlineData("prometheus", "address", "0.0.0.0", "\"0.0.0.0\" is not an address and port: the port is missing, e.g. 0.0.0.0:15020")]
    [InlineData("prometheus", "address", "0.0.0.0:0", "\"0.0.0.0:0\" is not an address and port: \"0\" is not a port (1-65535)")]
    [InlineData("prometheus", "address", "0.0.0.0:65536", "\"0.0.0.0:65536\" is not an address and port: \"65536\" is not a port (1-65535)")]
    [InlineData("prometheus", "address", "\"0.0.0.0:\"", "\"0.0.0.0:\" is not an address and port: \"\" is not a port (1-65535)")]
    [InlineData("prometheus", "address", "fd00::1:15020", "\"fd00::1:15020\" is not an address and port: write an IPv6 address in brackets, e.g. [::1]:15000")]
    [InlineData("prometheus", "address", "\"[10.0.0.1]:15020\"", "\"[10.0.0.1]:15020\" is not an address and port: only IPv6 addresses are written in brackets")]
    [InlineData("prometheus", "address", "\"[::1]\"", "\"[::1]\" is not an address and port: expected [address]:port, e.g. [::1]:15000")]
    [InlineData("prometheus", "address", "\"[fe80::1%eth0]:15020\"", "\"[fe80::1%eth0]:15020\" is not an address and port: \"fe80::1%eth0\" is not an IP address")]
    [InlineData("readiness", "address", "224.0.0.1:15021", "\"224.0.0.1:15021\" cannot be listened on: 224.0.0.1 is a multicast address")]
    [InlineData("readiness", "address", "\"[::ffff:10.0.0.1]:15021\"", "\"[::ffff:10.0.0.1]:15021\" cannot be listened on: ::ffff:10.0.0.1 is an IPv4-mapped IPv6 address; write it as 10.0.0.1")]
    [InlineData("readiness", "address", "[0.0.0.0, 15021]", "expected a single value, found a list")]
    [InlineData("tracing", "sampling", "2", "\"2\" is not a number between 0 and 1")]
    [InlineData("tracing", "sampling", "-0.1", "\"-0.1\" is not a number between 0 and 1")]
    [InlineData("tracing", "sampling", "1%", "\"1%\" is not a number between 0 and 1")]
    [InlineData("tracing", "sampling", "NaN", "\"NaN\" is not a number between 0 and 1")]
    [InlineData("tracing", "sampling", ".inf", "\".inf\" is not a number between 0 and 1")]
    [InlineData("tracing", "sampling", "0,5", "\"0,5\" is not a number between 0 and 1")]
    [InlineData("accessLog", "format", "yaml", "unknown format \"yaml\"; use json or text")]
    [InlineData("accessLog", "format", "JSON", "unknown format \"JSON\"; did you mean \"json\"?")]
    [InlineData("accessLog", "enabled", "no", "\"no\" is not a boolean: write true or false")]
    public void Bad_value(string section, string key, string value, string detail)
    {
        var e = ConfigAssert.Fails($"node: node-a\ntelemetry:\n  {section}:\n    {key}: {value}\n",
            line: 4, column: 7 + key.Length, field: $"telemetry.{section}.{key}");

        Assert.Equal(detail, e.Detail);
    }

    [Theory]
    [InlineData("endpoint", "ftp://otel:4317", "\"ftp://otel:4317\" is not an http(s) URL")]
    [InlineData("endpoint", "127.0.0.1:4317", "\"127.0.0.1:4317\" is not an http(s) URL")]
    [InlineData("protocol", "http/json", "unknown protocol \"http/json\"; use grpc or http/protobuf")]
    [InlineData("protocol", "GRPC", "unknown protocol \"GRPC\"; did you mean \"grpc\"?")]
    [InlineData("protocol", "http_protobuf", "unknown protocol \"http_protobuf\"; did you mean \"http/protobuf\"?")]
    [InlineData("metrics", "1", "\"1\" is not a boolean: write true or false")]
    [InlineData("traces", "on", "\"on\" is not a boolean: write true or false")]
    [InlineData("interval", "500ms", "\"500ms\" is not a duration between 1s and 1h (write e.g. 10s, 1m or 1h)")]
    [InlineData("interval", "0s", "\"0s\" is not a duration between 1s and 1h (write e.g. 10s, 1m or 1h)")]
    [InlineData("interval", "61m", "\"61m\" is not a duration between 1s and 1h (write e.g. 10s, 1m or 1h)")]
    [InlineData("interval", "2h", "\"2h\" is not a duration between 1s and 1h (write e.g. 10s, 1m or 1h)")]
    [InlineData("interval", "10", "\"10\" is not a duration between 1s and 1h (write e.g. 10s, 1m or 1h)")]
    [InlineData("interval", "1m30s", "\"1m30s\" is not a duration between 1s and 1h (write e.g. 10s, 1m or 1h)")]
    [InlineData("interval", "99999999999999999h", "\"99999999999999999h\" is not a duration between 1s and 1h (write e.g. 10s, 1m or 1h)")]
    public void Bad_otlp_value(string key, string value, string detail)
    {
        // The endpoint comes first in the section's own line so the others are read with a valid one.
        var endpoint = key == "endpoint" ? "" : "    endpoint: http://otel:4317\n";
        var e = ConfigAssert.Fails($"node: node-a\ntelemetry:\n  otlp:\n{endpoint}    {key}: {value}\n",
            line: key == "endpoint" ? 4 : 5, column: 7 + key.Length, field: $"telemetry.otlp.{key}");

        Assert.Equal(detail, e.Detail);
    }

    [Fact]
    public void Otlp_needs_an_endpoint()
    {
        var e = ConfigAssert.Fails("node: node-a\ntelemetry:\n  otlp:\n    protocol: grpc\n    traces: false\n",
            line: 4, column: 5, field: "telemetry.otlp.endpoint");

        Assert.Equal("config.yaml:4:5: telemetry.otlp.endpoint: missing required field \"endpoint\"", e.Message);
    }

    [Theory]
    [InlineData("telemetery:\n", 2, 1, "telemetery", "unknown field \"telemetery\"; did you mean \"telemetry\"?")]
    [InlineData("telemetry:\n  access_log: {}\n", 3, 3, "telemetry.access_log", "unknown field \"access_log\"; did you mean \"accessLog\"?")]
    [InlineData("telemetry:\n  prometheus:\n    enable: true\n", 4, 5, "telemetry.prometheus.enable", "unknown field \"enable\"; did you mean \"enabled\"?")]
    [InlineData("telemetry:\n  otlp:\n    endpiont: http://otel:4317\n", 4, 5, "telemetry.otlp.endpiont", "unknown field \"endpiont\"; did you mean \"endpoint\"?")]
    [InlineData("telemetry:\n  tracing:\n    samplng: 0.1\n", 4, 5, "telemetry.tracing.samplng", "unknown field \"samplng\"; did you mean \"sampling\"?")]
    [InlineData("telemetry:\n  readiness:\n    port: 15021\n", 4, 5, "telemetry.readiness.port", "unknown field \"port\"; known fields are address")]
    [InlineData("telemetry:\n  admin:\n    enabled: false\n", 4, 5, "telemetry.admin.enabled", "unknown field \"enabled\"; known fields are address")]
    [InlineData("telemetry:\n  zipkin: {}\n", 3, 3, "telemetry.zipkin", "unknown field \"zipkin\"; known fields are prometheus, readiness, admin, otlp, tracing, accessLog")]
    public void Unknown_field(string text, int line, int column, string field, string detail)
    {
        var e = ConfigAssert.Fails("node: node-a\n" + text, line, column, field);

        Assert.Equal(detail, e.Detail);
    }

    [Theory]
    [InlineData("telemetry: [prometheus]\n", 2, 12, "telemetry", "expected a mapping, found a list")]
    [InlineData("telemetry:\n  prometheus: true\n", 3, 15, "telemetry.prometheus", "expected a mapping, found \"true\"")]
    [InlineData("telemetry:\n  otlp: http://otel:4317\n", 3, 9, "telemetry.otlp", "expected a mapping, found \"http://otel:4317\"")]
    public void Section_that_is_not_a_mapping(string text, int line, int column, string field, string detail)
    {
        var e = ConfigAssert.Fails("node: node-a\n" + text, line, column, field);

        Assert.Equal(detail, e.Detail);
    }

    [Theory]
    [InlineData("0.0.0.0:15000")]
    [InlineData("10.0.0.5:15000")]
    [InlineData("\"[::]:15000\"")]
    [InlineData("\"[fd00::1]:15000\"")]
    public void Admin_must_be_on_a_loopback_address(string address)
    {
        var e = ConfigAssert.Fails($"node: node-a\ntelemetry:\n  admin:\n    address: {address}\n",
            line: 4, column: 14, field: "telemetry.admin.address");

        Assert.Equal($"{address.Trim('"')} is not a loopback address; the admin endpoint shows the config, so use 127.0.0.1 or [::1]", e.Detail);
    }

    [Fact]
    public void Address_taken_by_a_default()
    {
        var e = ConfigAssert.Fails("node: node-a\ntelemetry:\n  readiness:\n    address: 0.0.0.0:15020\n",
            line: 4, column: 14, field: "telemetry.readiness.address");

        Assert.Equal("config.yaml:4:14: telemetry.readiness.address: 0.0.0.0:15020 is already telemetry.prometheus.address (its default)", e.Message);
    }

    [Fact]
    public void Same_address_twice_points_at_the_later_one_and_names_the_first()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            telemetry:
              readiness:
                address: 10.0.0.5:9000
              prometheus:
                address: 10.0.0.5:9000
            """, line: 6, column: 14, field: "telemetry.prometheus.address");

        Assert.Equal("10.0.0.5:9000 is already telemetry.readiness.address (line 4)", e.Detail);
    }

    [Fact]
    public void Same_IPv6_address_twice()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            telemetry:
              prometheus: { address: "[::1]:9000" }
              admin: { address: "[::1]:9000" }
            """, line: 4, column: 21, field: "telemetry.admin.address");

        Assert.Equal("[::1]:9000 is already telemetry.prometheus.address (line 3)", e.Detail);
    }

    [Fact]
    public void Every_address_overlaps_a_specific_one_on_the_same_port()
    {
        var e = ConfigAssert.Fails("node: node-a\ntelemetry:\n  prometheus:\n    address: 0.0.0.0:15000\n",
            line: 4, column: 14, field: "telemetry.prometheus.address");

        Assert.Equal("0.0.0.0:15000 overlaps telemetry.admin.address (127.0.0.1:15000, its default): 0.0.0.0 listens on every IPv4 address", e.Detail);
    }

    [Fact]
    public void Every_IPv6_address_overlaps_a_specific_one_on_the_same_port()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            telemetry:
              admin: { address: "[::1]:9000" }
              readiness: { address: "[::]:9000" }
            """, line: 4, column: 25, field: "telemetry.readiness.address");

        Assert.Equal("[::]:9000 overlaps telemetry.admin.address ([::1]:9000, line 3): :: listens on every IPv6 address", e.Detail);
    }

    [Fact]
    public void Enabling_prometheus_brings_its_address_into_the_check()
    {
        var e = ConfigAssert.Fails("node: node-a\ntelemetry:\n  prometheus:\n    enabled: true\n    address: 0.0.0.0:15021\n",
            line: 5, column: 14, field: "telemetry.prometheus.address");

        Assert.Equal("0.0.0.0:15021 is already telemetry.readiness.address (its default)", e.Detail);
    }
}
