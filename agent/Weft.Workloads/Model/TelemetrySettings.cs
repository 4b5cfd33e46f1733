using System.Net;

namespace Weft.Workloads;

/// <summary>
/// The agent's own telemetry (the config's `telemetry` section): its listeners (Prometheus scrape,
/// readiness, admin), OTLP export, trace sampling and the access log.
/// </summary>
public sealed record TelemetrySettings
{
    /// <summary>
    /// Every field at its default. A new instance each time: <see cref="IPEndPoint"/> is mutable, so
    /// a shared default could be changed under every config that uses it.
    /// </summary>
    public static TelemetrySettings Default => new();

    public PrometheusSettings Prometheus { get; init; } = new();

    public ReadinessSettings Readiness { get; init; } = new();

    public AdminSettings Admin { get; init; } = new();

    /// <summary>Where to push metrics and traces over OTLP; null exports nothing.</summary>
    public OtlpSettings? Otlp { get; init; }

    public TracingSettings Tracing { get; init; } = new();

    public AccessLogSettings AccessLog { get; init; } = new();
}

/// <summary>The Prometheus scrape endpoint, serving /metrics and /stats/prometheus (ztunnel's port).</summary>
public sealed record PrometheusSettings
{
    public const int DefaultPort = 15020;

    public bool Enabled { get; init; } = true;

    public IPEndPoint Address { get; init; } = new(IPAddress.Any, DefaultPort);
}

/// <summary>The readiness endpoint, /healthz/ready; always served.</summary>
public sealed record ReadinessSettings
{
    public const int DefaultPort = 15021;

    public IPEndPoint Address { get; init; } = new(IPAddress.Any, DefaultPort);
}

/// <summary>The admin endpoint, /config_dump. Always a loopback address: it shows the whole config.</summary>
public sealed record AdminSettings
{
    public const int DefaultPort = 15000;

    public IPEndPoint Address { get; init; } = new(IPAddress.Loopback, DefaultPort);
}

/// <summary>Export to an OpenTelemetry collector.</summary>
public sealed record OtlpSettings
{
    /// <summary>The collector, an http or https URL, e.g. http://127.0.0.1:4317.</summary>
    public required Uri Endpoint { get; init; }

    public OtlpProtocol Protocol { get; init; } = OtlpProtocol.Grpc;

    public bool ExportMetrics { get; init; } = true;

    public bool ExportTraces { get; init; } = true;

    /// <summary>How often metrics are pushed; between 1 second and 1 hour.</summary>
    public TimeSpan MetricExportInterval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>OTLP transports, as OpenTelemetry's OTEL_EXPORTER_OTLP_PROTOCOL names them.</summary>
public enum OtlpProtocol
{
    /// <summary><c>grpc</c>.</summary>
    Grpc,

    /// <summary><c>http/protobuf</c>.</summary>
    HttpProtobuf,
}

public sealed record TracingSettings
{
    /// <summary>
    /// Fraction (0 to 1) of traces started here that are sampled. A trace that arrives with a
    /// parent keeps the parent's decision, so a trace is never cut in half.
    /// </summary>
    public double SamplingRatio { get; init; } = 0.01;
}

public sealed record AccessLogSettings
{
    public bool Enabled { get; init; } = true;

    public AccessLogFormat Format { get; init; } = AccessLogFormat.Json;
}

public enum AccessLogFormat
{
    /// <summary>One JSON object per line.</summary>
    Json,

    /// <summary>One human-readable line per connection.</summary>
    Text,
}
