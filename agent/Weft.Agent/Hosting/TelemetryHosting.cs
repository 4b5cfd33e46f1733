using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Weft.Agent.Admin;
using Weft.Telemetry;
using Weft.Telemetry.Admin;
using Weft.Telemetry.Prometheus;
using Weft.Workloads;

namespace Weft.Agent.Hosting;

/// <summary>
/// OpenTelemetry for the agent (metrics and traces, Prometheus scrape and OTLP export as the
/// config's `telemetry` section says) and the HTTP endpoints: Prometheus (/metrics,
/// /stats/prometheus), readiness (/healthz/ready), liveness (/healthz/live) and the localhost admin (/config_dump).
/// Read once at start: a change to the section needs a restart.
/// </summary>
internal static class TelemetryHosting
{
    public static void AddWeftTelemetry(this IServiceCollection services, LocalConfig config)
    {
        var t = config.Telemetry;
        var scrape = new PrometheusScrape();
        services.AddSingleton(scrape);
        var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("weft-agent", serviceInstanceId: config.Node));
        otel.WithMetrics(m =>
        {
            m.AddMeter(WeftTelemetry.Name).AddRuntimeInstrumentation();
            if (t.Prometheus.Enabled)
            {
                m.AddWeftPrometheus(scrape);
            }

            if (t.Otlp is { ExportMetrics: true } o)
            {
                m.AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, o, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)o.MetricExportInterval.TotalMilliseconds;
                });
            }
        });
        otel.WithTracing(tr =>
        {
            tr.AddSource(WeftTelemetry.Name).SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(t.Tracing.SamplingRatio)));
            if (t.Otlp is { ExportTraces: true } o)
            {
                tr.AddOtlpExporter(exporter => Configure(exporter, o, "v1/traces"));
            }
        });

        services.AddSingleton(sp => new AdminHttpServer(Routes(sp, t, scrape), sp.GetRequiredService<ILogger<AdminHttpServer>>()));
    }

    /// <summary>Starts the endpoints; register after the agent, so its checks (root, node lock) speak first.</summary>
    public static void AddWeftEndpoints(this IServiceCollection services) =>
        services.AddHostedService(sp => sp.GetRequiredService<AdminHttpServer>());

    private static List<AdminRoute> Routes(IServiceProvider sp, TelemetrySettings t, PrometheusScrape scrape)
    {
        var agent = sp.GetRequiredService<AgentService>();
        List<AdminRoute> routes = [];
        if (t.Prometheus.Enabled)
        {
            routes.AddRange(PrometheusRoutes.For(Prefix(t.Prometheus.Address), scrape));
        }

        routes.Add(AdminRoute.Respond(Prefix(t.Readiness.Address), WeftTelemetry.ReadinessPath, _ =>
        {
            var notReady = agent.NotReadyReason();
            return ValueTask.FromResult(notReady is null ? AdminResponse.Text(200, "ready\n") : AdminResponse.Text(503, $"not ready: {notReady}\n"));
        }));

        // Liveness is the host's life only, never BPF or certificates: a pod waiting on its CA is
        // not ready, but restarting it would not bring the CA any closer.
        var lifetime = sp.GetRequiredService<IHostApplicationLifetime>();
        routes.Add(AdminRoute.Respond(Prefix(t.Readiness.Address), WeftTelemetry.LivenessPath, _ =>
            ValueTask.FromResult(lifetime.ApplicationStopping.IsCancellationRequested ? AdminResponse.Text(503, "stopping\n") : AdminResponse.Text(200, "live\n"))));
        routes.Add(AdminRoute.Respond(Prefix(t.Admin.Address), "/config_dump", _ =>
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                agent.WriteConfigDump(w);
            }

            return ValueTask.FromResult(new AdminResponse(200, "application/json", Encoding.UTF8.GetString(buffer.ToArray())));
        }));
        return routes;
    }

    /// <summary>An HttpListener prefix: the unspecified address listens on every IPv4 address ("+").</summary>
    private static string Prefix(IPEndPoint address) =>
        address.Address.Equals(IPAddress.Any) || address.Address.Equals(IPAddress.IPv6Any)
            ? $"http://+:{address.Port}/"
            : $"http://{address}/";

    private static void Configure(OtlpExporterOptions exporter, OtlpSettings o, string signalPath)
    {
        exporter.Protocol = o.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;

        // Over HTTP each signal has its own path under the collector's URL, as OTEL_EXPORTER_OTLP_ENDPOINT
        // has it: http://c:4318 → /v1/traces, https://gateway/otlp → /otlp/v1/traces. Taken as it was
        // given, a URL with a path would receive the metrics and the traces alike.
        exporter.Endpoint = o.Protocol == OtlpProtocol.HttpProtobuf
            ? new Uri(new UriBuilder(o.Endpoint) { Path = o.Endpoint.AbsolutePath.TrimEnd('/') + "/" }.Uri, signalPath)
            : o.Endpoint;
    }
}
