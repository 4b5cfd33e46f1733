using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Weft.Agent.Cli;
using Weft.Agent.Hosting;
using Weft.Proxy;
using Weft.Tests.Shared;
using Weft.Workloads;

namespace Weft.Integration.Tests.InProcess;

/// <summary>
/// A node's agent hosted in the test process, built as `weft agent` builds it
/// (<see cref="AgentHost.CreateBuilder"/>) plus OpenTelemetry's in-memory exporters, so a test reads
/// the very metric points and spans the Prometheus and OTLP exporters are given.
/// </summary>
internal sealed class InProcessAgent : IAsyncDisposable
{
    private readonly IHost host;
    private readonly LockedList<MetricSnapshot> exported;
    private readonly LockedList<Activity> spans;

    private InProcessAgent(IHost host, LockedList<MetricSnapshot> exported, LockedList<Activity> spans, CapturedLog log)
    {
        this.host = host;
        this.exported = exported;
        this.spans = spans;
        Log = log;
        Service = host.Services.GetRequiredService<AgentService>();
    }

    public CapturedLog Log { get; }

    public AgentService Service { get; }

    /// <summary>Every span that ended so far.</summary>
    public IReadOnlyList<Activity> Spans => spans.Snapshot();

    public static async Task<InProcessAgent> StartAsync(string configPath, TimeSpan readyTimeout)
    {
        var options = new AgentOptions { ConfigPath = configPath, BpfObjectPath = RepoPaths.BpfObject, DrainTimeout = TimeSpan.FromSeconds(2) };
        var builder = AgentHost.CreateBuilder(options, LocalConfigLoader.Load(configPath));
        var log = new CapturedLog();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Services.AddSingleton(new AccessLogSink(log.CreateLogger(ProxyContext.AccessLogCategory)));

        // Collected only when a test asks (ForceFlush), so each collection is one consistent batch.
        var metrics = new LockedList<MetricSnapshot>();
        var spans = new LockedList<Activity>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics, r =>
            r.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)TimeSpan.FromHours(1).TotalMilliseconds));
        builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans));

        var host = builder.Build();
        var agent = new InProcessAgent(host, metrics, spans, log);
        try
        {
            await host.StartAsync().ConfigureAwait(false);
            var deadline = DateTime.UtcNow + readyTimeout;
            while (agent.Service.NotReadyReason() is { } reason)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the in-process agent is not ready after {readyTimeout}: {reason}");
                }

                await Task.Delay(50).ConfigureAwait(false);
            }

            return agent;
        }
        catch
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Collects every instrument now and returns the batch.</summary>
    public MetricBatch Collect()
    {
        exported.Clear();

        // ForceFlush answers false whatever happens here: the Prometheus reader is pull-only and refuses
        // a collection that is not a scrape. The in-memory reader is collected all the same.
        host.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
        if (exported.Count == 0)
        {
            throw new TimeoutException("the in-memory exporter received nothing from a flush");
        }

        return new MetricBatch(exported.Snapshot());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await host.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            host.Dispose();
        }
    }
}
