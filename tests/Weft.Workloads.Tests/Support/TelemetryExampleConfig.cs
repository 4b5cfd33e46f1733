namespace Weft.Workloads.Tests;

/// <summary>The telemetry example of docs/config.md, comments included; a test keeps the two identical.</summary>
internal static class TelemetryExampleConfig
{
    public const string Text = """
        node: node-a
        telemetry:
          prometheus:
            enabled: true                 # default true
            address: 0.0.0.0:15020        # default; serves /metrics and /stats/prometheus
          readiness:
            address: 0.0.0.0:15021        # default; serves /healthz/ready and /healthz/live
          admin:
            address: 127.0.0.1:15000      # default; serves /config_dump, so loopback only
          otlp:                           # absent: no OTLP export
            endpoint: http://127.0.0.1:4317   # the collector; required when otlp is present
            protocol: grpc                # default; or http/protobuf
            metrics: true                 # default true
            traces: true                  # default true
            interval: 10s                 # default; how often metrics are pushed
          tracing:
            sampling: 0.01                # default; fraction of new traces sampled
          accessLog:
            format: json                  # default; or text
            enabled: true                 # default true
        """;
}
