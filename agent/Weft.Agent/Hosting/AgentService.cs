using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Weft.Agent.Cli;
using Weft.Agent.Enrolment;
using Weft.Agent.Identity;
using Weft.Capture;
using Weft.Capture.Maps;
using Weft.Platform.Host;
using Weft.Platform.Netns;
using Weft.Policy;
using Weft.Proxy;
using Weft.Proxy.Connections;
using Weft.Agent.Telemetry;
using Weft.Telemetry.Metrics;
using Weft.Tunnel.Hbone;
using Weft.Workloads;

namespace Weft.Agent.Hosting;

/// <summary>
/// The agent's life: check the host, load and attach the capture programs, enrol the pods
/// the config names, follow config changes and vanished namespaces; on stop, release every
/// pod, drain connections, and detach and unpin everything.
/// </summary>
public sealed partial class AgentService(
    AgentOptions options,
    IWorkloadSource configSource,
    AccessLogSink accessLog,
    ILoggerFactory loggers,
    ILogger<AgentService> logger) : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource stopping = new();
    private readonly Meter meter = new(Weft.Telemetry.WeftTelemetry.Name);
    private HboneClientPool? tunnels;
    private NodeLock? nodeLock;
    private NetnsExecutor? executor;
    private WorkloadIdentities? identities;
    private BpfCapture? capture;
    private ConnectionTracker? connections;
    private PodReconciler? reconciler;
    private ProxyContext? proxy;
    private readonly System.Threading.Channels.Channel<LocalConfig> changes = System.Threading.Channels.Channel.CreateUnbounded<LocalConfig>(new() { SingleReader = true });
    private Task? checks;
    private LocalConfig? initial;
    private LocalConfig? current;
    private volatile bool started;
    private Task? applier;
    private int disposed;

    public BpfCapture Capture => capture ?? throw new InvalidOperationException("not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribe first: a change published while the first config is applied is queued, not lost.
        configSource.Changed += OnConfigChanged;
        var config = configSource.Current;
        initial = config;
        HostChecks.RequireRoot();
        HostChecks.RequireKernel();
        HostChecks.RequireBpffs();
        var cgroupRoot = HostChecks.ResolveCgroupRoot(config.CgroupRoot);
        nodeLock = NodeLock.Acquire(options.RunDirectory, config.Node);

        capture = BpfCapture.Start(
            new CaptureOptions { ObjectPath = options.BpfObjectPath, Node = config.Node, CgroupRoot = cgroupRoot, PinRoot = options.PinRoot },
            loggers.CreateLogger("Weft.Capture"));
        identities = WorkloadIdentities.Create(config.Identity, loggers);
        executor = new NetnsExecutor();
        connections = new ConnectionTracker { Unhandled = e => LogHandlerFailed(logger, e) };
        var hbone = new HboneOptions();
        var hboneMetrics = new HboneMetrics(meter);
        tunnels = new HboneClientPool(hbone, hboneMetrics, loggers.CreateLogger("Weft.Hbone"));
        proxy = new ProxyContext(executor, capture, connections, loggers)
        {
            Routes = new ConfigRouteTable(config),
            AccessLogger = accessLog.Logger,
            Certificates = identities.Certificates,
            Tunnels = tunnels,
            Hbone = hbone,
            HboneMetrics = hboneMetrics,
            TcpMetrics = new TcpMetrics(meter),
            PolicyMetrics = new PolicyMetrics(meter),
            Authorizer = new Authorizer(config.CreatePolicySet(), loggers.CreateLogger("Weft.Policy")),
        };
        reconciler = new PodReconciler(proxy, loggers.CreateLogger<PodReconciler>());
        AgentMetrics.Register(meter, reconciler, identities.Certificates, connections, tunnels, capture);

        await ApplyAsync(config).ConfigureAwait(false);
        started = true;
        applier = ApplyChangesAsync();
        checks = CheckLoopAsync();
        LogReady(logger, config.Node, reconciler.Count, config.SourcePath);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        configSource.Changed -= OnConfigChanged;
        await stopping.CancelAsync().ConfigureAwait(false);
        foreach (var loop in new[] { checks, applier })
        {
            if (loop is not null)
            {
                await loop.ConfigureAwait(false);
            }
        }

        if (reconciler is not null)
        {
            await reconciler.DisposeAsync().ConfigureAwait(false);
        }

        if (connections is not null)
        {
            LogDraining(logger, connections.Count, options.DrainTimeout.TotalSeconds);
            await connections.DrainAsync(options.DrainTimeout).ConfigureAwait(false);
        }

        if (tunnels is not null)
        {
            await tunnels.DisposeAsync().ConfigureAwait(false);
        }

        capture?.Dispose();
        LogStopped(logger);
    }

    public async ValueTask DisposeAsync()
    {
        // The container owns this instance twice over (as itself and as a hosted service).
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        capture?.Dispose();
        identities?.Dispose();
        executor?.Dispose();
        connections?.Dispose();
        nodeLock?.Dispose();
        meter.Dispose();
        stopping.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private async Task ApplyAsync(LocalConfig config)
    {
        // Where the programs attach and the pins live is fixed for the agent's life.
        if (config.Node != initial!.Node || config.CgroupRoot != initial.CgroupRoot)
        {
            LogRestartNeeded(logger, config.SourcePath);
            return;
        }

        if (config.Telemetry != initial.Telemetry)
        {
            LogTelemetryRestartNeeded(logger, config.SourcePath);
        }

        capture!.SetExclusions(config.Capture.ExcludePorts, config.Capture.ExcludeCidrs);
        Volatile.Write(ref current, config);
        proxy!.Routes = new ConfigRouteTable(config);

        // New connections meet the new policies at once; live ones they no longer allow are closed.
        foreach (var revoked in proxy.Authorizer.Update(config.CreatePolicySet(), proxy.Live.All()))
        {
            revoked.Handle.Revoke(revoked.Decision.ToString());
            proxy.PolicyMetrics.Revoked(revoked.Decision.Reason.ToString());
        }

        await reconciler!.ApplyAsync(config).ConfigureAwait(false);

        // After the pods: an identity is let go only once no enrolled pod can ask for it again.
        identities!.Track(config, MeshMembership.EnrolledWorkloads(config));
    }

    /// <summary>
    /// Null when ready (capture attached, the first config applied, a certificate held for every
    /// enrolled pod's identity); otherwise why not, for /healthz/ready.
    /// </summary>
    public string? NotReadyReason()
    {
        if (!started || capture is null || identities is null || Volatile.Read(ref current) is not { } config)
        {
            return "starting";
        }

        if (configSource.NotReadyReason is { } waiting)
        {
            return waiting;
        }

        var enrolled = reconciler!.EnrolledUids;
        foreach (var workload in config.Workloads)
        {
            if (!enrolled.Contains(workload.Uid))
            {
                continue;
            }

            var identity = WorkloadIdentities.IdentityOf(config, workload);
            if (identities.Certificates.TryGetCurrent(identity) is null)
            {
                return $"no certificate yet for {identity}";
            }
        }

        return null;
    }

    /// <summary>The state behind /config_dump.</summary>
    public void WriteConfigDump(System.Text.Json.Utf8JsonWriter writer)
    {
        if (Volatile.Read(ref current) is not { } config || reconciler is null || identities is null)
        {
            writer.WriteStartObject();
            writer.WriteString("state", "starting");
            writer.WriteEndObject();
            return;
        }

        Admin.ConfigDump.Write(writer, config, reconciler.EnrolledUids, identities.Certificates);
    }

    // Changes are queued and applied one at a time, in the order the source published them.
    private void OnConfigChanged(object? sender, LocalConfig config) => changes.Writer.TryWrite(config);

    private async Task ApplyChangesAsync()
    {
        try
        {
            await foreach (var config in changes.Reader.ReadAllAsync(stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await ApplyAsync(config).ConfigureAwait(false);
                    LogApplied(logger, config.SourcePath, reconciler!.Count);
                }
                catch (Exception e)
                {
                    LogApplyFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CheckLoopAsync()
    {
        using var timer = new PeriodicTimer(CheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false))
            {
                await reconciler!.CheckAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 1, EventName = "AgentReady", Level = LogLevel.Information, Message = "agent ready: node {Node}, {Pods} pods enrolled, config {Config}")]
    private static partial void LogReady(ILogger logger, string node, int pods, string config);

    [LoggerMessage(EventId = 2, EventName = "ConfigApplied", Level = LogLevel.Information, Message = "config {Config} applied: {Pods} pods enrolled")]
    private static partial void LogApplied(ILogger logger, string config, int pods);

    [LoggerMessage(EventId = 3, EventName = "ConfigApplyFailed", Level = LogLevel.Error, Message = "applying the new config failed: {Error}")]
    private static partial void LogApplyFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 4, EventName = "Draining", Level = LogLevel.Information, Message = "draining {Connections} connections for up to {Seconds} s")]
    private static partial void LogDraining(ILogger logger, int connections, double seconds);

    [LoggerMessage(EventId = 6, EventName = "RestartNeeded", Level = LogLevel.Error, Message = "config {Config} changes node or cgroupRoot: not applied; restart the agent for that")]
    private static partial void LogRestartNeeded(ILogger logger, string config);

    [LoggerMessage(EventId = 8, EventName = "TelemetryRestartNeeded", Level = LogLevel.Warning, Message = "config {Config} changes the telemetry section: the rest is applied, telemetry changes take effect at the next restart")]
    private static partial void LogTelemetryRestartNeeded(ILogger logger, string config);

    [LoggerMessage(EventId = 7, EventName = "HandlerFailed", Level = LogLevel.Error, Message = "a connection handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5, EventName = "AgentStopped", Level = LogLevel.Information, Message = "agent stopped: capture detached, pins removed")]
    private static partial void LogStopped(ILogger logger);
}
