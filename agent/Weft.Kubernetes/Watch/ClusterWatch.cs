using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Weft.Kubernetes.Api;
using Weft.Kubernetes.Source;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// Keeps an in-memory view of the cluster's namespaces, pods, services and endpoint slices: one list+watch loop per
/// kind, and one publisher that turns their changes into immutable snapshots, debounced, in order.
/// </summary>
public sealed partial class ClusterWatch : IAsyncDisposable
{
    private readonly ClusterWatchOptions _options;
    private readonly ILogger<ClusterWatch> _logger;
    private readonly Lock _gate = new();
    private readonly ResourceLoop<ClusterNamespace> _namespaces;
    private readonly ResourceLoop<Pod> _pods;
    private readonly ResourceLoop<Service> _services;
    private readonly ResourceLoop<EndpointSlice> _endpointSlices;
    private readonly IResourceLoop[] _loops;
    private readonly CancellationTokenSource _stop = new();

    // Capacity one, extra writes dropped: any number of changes before the publisher wakes is one pending publish.
    private readonly Channel<bool> _pending = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource<ClusterSnapshot> _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate.
    private TaskCompletionSource<ClusterSnapshot> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task[] _running = [];
    private bool _started;
    private bool _disposed;

    private volatile ClusterSnapshot _current = ClusterSnapshot.Empty;

    public ClusterWatch(ApiClient client, ClusterWatchOptions options, ILogger<ClusterWatch> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _logger = logger;
        _namespaces = new(ResourceKinds.Namespaces(), client, options, logger, _gate, SignalChange);
        _pods = new(ResourceKinds.Pods(options.PodFieldSelector), client, options, logger, _gate, SignalChange);
        _services = new(ResourceKinds.Services(), client, options, logger, _gate, SignalChange);
        _endpointSlices = new(ResourceKinds.EndpointSlices(), client, options, logger, _gate, SignalChange);
        _loops = [_namespaces, _pods, _services, _endpointSlices];
    }

    /// <summary>
    /// Raised once per published snapshot, serially and in order, on the publisher's task (never a watch loop's).
    /// A handler that throws is logged and the others still run.
    /// </summary>
    public event EventHandler<ClusterSnapshot>? Changed;

    public ClusterSnapshot Current => _current;

    public IReadOnlyList<ResourceWatchStatus> Status
    {
        get
        {
            lock (_gate)
            {
                return _loops.Select(loop => loop.Status()).ToArray();
            }
        }
    }

    /// <summary>Starts one list+watch loop per kind, and the publisher, in the background.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("the cluster watch is already started");
            }

            _started = true;
            var stop = _stop.Token;
            _running = [
                .. _loops.Select(loop => Task.Run(() => loop.RunAsync(stop), CancellationToken.None)),
                Task.Run(() => PublishLoopAsync(stop), CancellationToken.None),
            ];
        }
    }

    /// <summary>Completes with the first snapshot in which every kind has been listed.</summary>
    public Task<ClusterSnapshot> WaitForSyncAsync(CancellationToken ct) => _synced.Task.WaitAsync(ct);

    /// <summary>Completes with the next snapshot published after this call.</summary>
    public Task<ClusterSnapshot> NextChangeAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _next.Task.WaitAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            running = _running;
        }

        // Cancelling aborts the in-flight requests, which closes their connections.
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(running).ConfigureAwait(false);
        _stop.Dispose();
        _synced.TrySetException(new ObjectDisposedException(nameof(ClusterWatch)));
        _next.TrySetException(new ObjectDisposedException(nameof(ClusterWatch)));
    }

    private void SignalChange() => _pending.Writer.TryWrite(true);

    private async Task PublishLoopAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await _pending.Reader.ReadAsync(stop).ConfigureAwait(false);
                // Let the rest of a burst (a list of many objects, a rollout's events) land in the same snapshot.
                await Task.Delay(_options.Debounce, stop).ConfigureAwait(false);
                Publish();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private void Publish()
    {
        ClusterSnapshot snapshot;
        TaskCompletionSource<ClusterSnapshot> waiters;
        lock (_gate)
        {
            if (!_loops.Any(loop => loop.Dirty))
            {
                return;
            }

            snapshot = new ClusterSnapshot
            {
                Namespaces = _namespaces.TakeSnapshot(),
                Pods = _pods.TakeSnapshot(),
                Services = _services.TakeSnapshot(),
                EndpointSlices = _endpointSlices.TakeSnapshot(),
                Synced = _loops.All(loop => loop.Listed),
            };
            _current = snapshot;
            waiters = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        waiters.TrySetResult(snapshot);
        if (snapshot.Synced && _synced.TrySetResult(snapshot))
        {
            WatchLog.Synced(_logger, snapshot.Namespaces.Count, snapshot.Pods.Count, snapshot.Services.Count, snapshot.EndpointSlices.Count);
        }

        if (Changed is not { } changed)
        {
            return;
        }

        foreach (var handler in changed.GetInvocationList().Cast<EventHandler<ClusterSnapshot>>())
        {
            try
            {
                handler(this, snapshot);
            }
            catch (Exception e)
            {
                WatchLog.ChangedHandlerFailed(_logger, e);
            }
        }
    }
}
