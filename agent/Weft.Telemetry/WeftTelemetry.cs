namespace Weft.Telemetry;

/// <summary>The names the agent's telemetry is published under.</summary>
public static class WeftTelemetry
{
    /// <summary>The agent's <see cref="System.Diagnostics.Metrics.Meter"/> and <see cref="System.Diagnostics.ActivitySource"/> name.</summary>
    public const string Name = "Weft.Agent";

    /// <summary>Port of the Prometheus scrape endpoint (/metrics, /stats/prometheus), as ztunnel's.</summary>
    public const int MetricsPort = 15020;

    /// <summary>Port of the readiness endpoint (/healthz/ready).</summary>
    public const int ReadinessPort = 15021;

    /// <summary>Readiness: 200 once capture is attached and every enrolled pod's certificate is loaded, else 503.</summary>
    public const string ReadinessPath = "/healthz/ready";

    /// <summary>Liveness, on the readiness port: 200 while the agent's host runs.</summary>
    public const string LivenessPath = "/healthz/live";

    /// <summary>Port of the admin endpoint (/config_dump), on localhost only.</summary>
    public const int AdminPort = 15000;
}
