using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Weft.Telemetry.Tests.Support;

/// <summary>
/// One instrument of every kind the exporter writes, with labels that need escaping, named so that
/// promtool's lint has nothing to say (base units, _total on counters only, help on every family).
/// </summary>
internal static class EveryKindOfMetric
{
    public const string Histogram = "weft.connection.duration.seconds";

    public static void Configure(MeterProviderBuilder builder) =>
        builder.AddView(Histogram, new ExplicitBucketHistogramConfiguration { Boundaries = [0.005, 0.1, 1, 10] });

    public static void Record(Meter meter)
    {
        var tag = (string key, object? value) => new KeyValuePair<string, object?>(key, value);
        meter.CreateCounter<long>("istio_tcp_connections_opened_total", description: "TCP connections opened.")
            .Add(42, tag("reporter", "destination"), tag("destination_workload", "web \"v2\"\\canary\nnext"));
        meter.CreateCounter<double>("weft.cpu.seconds", description: "CPU time \"used\" in seconds.\nSecond line.").Add(0.125);
        meter.CreateUpDownCounter<long>("weft.connections.active", description: "Connections open now.").Add(-3);
        meter.CreateObservableGauge("weft.memory.bytes", () => new[]
        {
            new Measurement<double>(1.5e9, tag("area", "heap")),
            new Measurement<double>(double.NaN, tag("area", "unknown")),
        }, description: "Memory in use.");
        meter.CreateObservableCounter("weft.bytes.sent", () => 7L, description: "Bytes sent.");
        var duration = meter.CreateHistogram<double>(Histogram, description: "Connection durations.");
        foreach (var v in new[] { 0.001, 0.05, 2.5 })
        {
            duration.Record(v, tag("protocol", "tcp"));
        }
    }
}
