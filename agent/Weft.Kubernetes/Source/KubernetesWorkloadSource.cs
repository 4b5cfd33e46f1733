using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Weft.Kubernetes.Api;
using Weft.Kubernetes.Model;
using Weft.Kubernetes.Watch;
using Weft.Workloads;

namespace Weft.Kubernetes.Source;

/// <summary>
/// The agent's workloads from the Kubernetes API: the watched cluster, this node's pods' network
/// namespaces and the settings file, merged into one <see cref="LocalConfig"/> and republished when
/// any of them changes in a way the agent uses. One loop owns the rebuild, so configs are published
/// in order and never concurrently. Until the first complete list it publishes the settings alone
/// (no workloads) and says it is not ready; while the API server is away the last cluster stays in
/// force, so healthy pods stay enrolled.
/// </summary>
public sealed partial class KubernetesWorkloadSource : IWorkloadSource, IHostedService, IAsyncDisposable
{
    private readonly IWorkloadSource settings;
    private readonly ClusterWatch watch;
    private readonly KubernetesSourceOptions options;
    private readonly ILogger<KubernetesWorkloadSource> logger;
    private readonly PodNetnsCache netns;
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private volatile LocalConfig current;
    private volatile bool describesCluster;
    private TaskCompletionSource<LocalConfig> nextChange = NewWaiter();
    private int inputChanged = 1;
    private Task? loop;
    private Timer? recheck;

    // Owned by the loop. Null until the first synced config: an empty cluster's fingerprint is empty too.
    private string? lastFingerprint;
    private LocalConfig? lastSettings;
    private HashSet<string> lastSkipped = new(StringComparer.Ordinal);

    public KubernetesWorkloadSource(IWorkloadSource settings, ClusterWatch watch, Weft.Platform.Netns.PodNetnsFinder finder,
        KubernetesSourceOptions options, ILogger<KubernetesWorkloadSource> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(watch);
        ArgumentNullException.ThrowIfNull(finder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);

        // A zero period would make the timer fire once and never again: pods still starting would wait for an API event.
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.NetnsRecheck, TimeSpan.Zero, nameof(options));
        this.settings = settings;
        this.watch = watch;
        this.options = options;
        this.logger = logger;
        netns = new PodNetnsCache(finder, (pod, error) => LogNetnsFailed(logger, pod, error));
        current = settings.Current;
    }

    public LocalConfig Current => current;

    public event EventHandler<LocalConfig>? Changed;

    // Not the watch's Synced: that turns true before the loop has published the cluster, and readiness
    // must not say the node is described while Current still has the settings alone.
    public string? NotReadyReason => describesCluster ? null : "waiting for the first complete list of namespaces, pods, services and endpoint slices from the Kubernetes API server";

    /// <summary>Pods of this node still without a network namespace after the last rebuild.</summary>
    public int PodsWithoutNetns => netns.Missing;

    public Task<LocalConfig> NextChangeAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return nextChange.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Starts watching; returns at once (the first list arrives in the background).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        settings.Changed += OnInputChanged;
        watch.Changed += OnInputChanged;
        loop = Task.Run(RunAsync, CancellationToken.None);
        watch.Start();
        recheck = new Timer(_ => Wake(), null, options.NetnsRecheck, options.NetnsRecheck);
        LogStarted(logger, settings.Current.Node);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        settings.Changed -= OnInputChanged;
        watch.Changed -= OnInputChanged;
        await stopping.CancelAsync().ConfigureAwait(false);
        if (recheck is not null)
        {
            await recheck.DisposeAsync().ConfigureAwait(false);
        }

        wake.Writer.TryComplete();
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        await watch.DisposeAsync().ConfigureAwait(false);
        lock (gate)
        {
            nextChange.TrySetCanceled();
        }

        stopping.Dispose();
    }

    private static TaskCompletionSource<LocalConfig> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnInputChanged(object? sender, object e)
    {
        Volatile.Write(ref inputChanged, 1);
        Wake();
    }

    private void Wake() => wake.Writer.TryWrite(true);

    private async Task RunAsync()
    {
        try
        {
            while (await wake.Reader.WaitToReadAsync(stopping.Token).ConfigureAwait(false))
            {
                wake.Reader.TryRead(out _);
                try
                {
                    // A timer tick alone rebuilds only when a pod of this node lacks its namespace or one moved.
                    if (Interlocked.Exchange(ref inputChanged, 0) == 0 && netns.Missing == 0 && netns.AllStillThere())
                    {
                        continue;
                    }

                    Rebuild();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug in translation must not stop updates for good: the last config stays, the next change retries.
                    LogRebuildFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Rebuild()
    {
        var cluster = watch.Current;
        var settingsNow = settings.Current;
        if (!cluster.Synced)
        {
            // Nothing to say about workloads yet; settings changes still take effect.
            if (!ReferenceEquals(settingsNow, lastSettings))
            {
                lastSettings = settingsNow;
                Publish(settingsNow, synced: false);
            }

            return;
        }

        var node = settingsNow.Node;
        var local = cluster.Pods.Values
            .Where(p => p.Spec?.NodeName == node && p.Spec.HostNetwork != true && !string.IsNullOrEmpty(p.Metadata.Uid)
                && p.Status?.Phase is not ("Succeeded" or "Failed"))
            .ToList();
        var paths = netns.Resolve(local);
        var skipped = new List<string>();
        var config = ClusterTranslation.Translate(settingsNow, cluster, pod => paths.GetValueOrDefault(pod.Metadata.Uid), skipped);
        ReportSkipped(skipped);

        var fingerprint = ClusterFingerprint.Of(config);
        if (fingerprint == lastFingerprint && ReferenceEquals(settingsNow, lastSettings))
        {
            return;
        }

        var first = lastFingerprint is null;
        lastFingerprint = fingerprint;
        lastSettings = settingsNow;
        var enrolled = MeshMembership.EnrolledWorkloads(config).Count;
        if (first)
        {
            LogSynced(logger, config.Namespaces.Count, config.Workloads.Count, local.Count, enrolled, config.Services.Count);
        }

        LogPublished(logger, config.Workloads.Count, enrolled, netns.Missing, config.Services.Count);
        Publish(config, synced: true);
    }

    private void Publish(LocalConfig config, bool synced)
    {
        current = config;
        if (synced)
        {
            // After Current: whoever sees the source ready sees the cluster in Current.
            describesCluster = true;
        }

        TaskCompletionSource<LocalConfig> waiter;
        lock (gate)
        {
            waiter = nextChange;
            nextChange = NewWaiter();
        }

        try
        {
            Changed?.Invoke(this, config);
        }
        catch (Exception e)
        {
            LogHandlerFailed(logger, e);
        }

        waiter.TrySetResult(config);
    }

    private void ReportSkipped(List<string> skipped)
    {
        var now = skipped.ToHashSet(StringComparer.Ordinal);
        foreach (var sentence in now.Where(s => !lastSkipped.Contains(s)))
        {
            LogSkipped(logger, sentence);
        }

        lastSkipped = now;
    }

    [LoggerMessage(EventId = 9020, EventName = "KubernetesSourceStarted", Level = LogLevel.Information,
        Message = "watching the Kubernetes API for node {Node}'s workloads")]
    private static partial void LogStarted(ILogger logger, string node);

    [LoggerMessage(EventId = 9021, EventName = "KubernetesSynced", Level = LogLevel.Information,
        Message = "first complete list from the API server: {Namespaces} namespaces, {Workloads} pods with addresses ({Local} on this node, {Enrolled} enrolled), {Services} services")]
    private static partial void LogSynced(ILogger logger, int namespaces, int workloads, int local, int enrolled, int services);

    [LoggerMessage(EventId = 9022, EventName = "KubernetesConfigPublished", Level = LogLevel.Debug,
        Message = "cluster changed: {Workloads} pods, {Enrolled} enrolled here, {WithoutNetns} of this node's still without a network namespace, {Services} services")]
    private static partial void LogPublished(ILogger logger, int workloads, int enrolled, int withoutNetns, int services);

    [LoggerMessage(EventId = 9023, EventName = "KubernetesObjectSkipped", Level = LogLevel.Warning,
        Message = "left out of the mesh's view: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);

    [LoggerMessage(EventId = 9024, EventName = "PodNetnsFailed", Level = LogLevel.Error,
        Message = "cannot find pod {Pod}'s network namespace: {Error}")]
    private static partial void LogNetnsFailed(ILogger logger, string pod, string error);

    [LoggerMessage(EventId = 9025, EventName = "KubernetesRebuildFailed", Level = LogLevel.Error,
        Message = "could not build the config from the cluster; the last one stays in force")]
    private static partial void LogRebuildFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 9026, EventName = "KubernetesChangeHandlerFailed", Level = LogLevel.Error,
        Message = "a config change handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception error);
}
