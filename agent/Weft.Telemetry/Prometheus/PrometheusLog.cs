using Microsoft.Extensions.Logging;

namespace Weft.Telemetry.Prometheus;

/// <summary>The Prometheus exporter's log events (ids 8020-8029): metrics that cannot be exposed, failed collections. Nothing per successful scrape.</summary>
internal static partial class PrometheusLog
{
    [LoggerMessage(EventId = 8020, Level = LogLevel.Warning, Message = "prometheus: metric {Name} (meter {Meter}) is a {MetricType}, which the text format cannot carry; it is left out of scrapes")]
    public static partial void UnsupportedMetricType(ILogger logger, string name, string meter, string metricType);

    [LoggerMessage(EventId = 8021, Level = LogLevel.Warning, Message = "prometheus: metric {Name} (meter {Meter}) falls in family {Family}, already a {Kind} of another instrument; it is left out of scrapes")]
    public static partial void FamilyKindConflict(ILogger logger, string name, string meter, string family, string kind);

    [LoggerMessage(EventId = 8022, Level = LogLevel.Warning, Message = "prometheus: metrics collection failed or timed out after {TimeoutMs} ms (is the meter provider disposed?)")]
    public static partial void CollectFailed(ILogger logger, int timeoutMs);
}
