using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Weft.Kubernetes.Api;
using Weft.Kubernetes.Source;

namespace Weft.Kubernetes.Watch;

/// <summary>
/// List, then watch from the list's resourceVersion, for one resource kind, until cancelled. The store it keeps is
/// replaced whole on a re-list and otherwise left alone on failure: an API server outage must not make healthy
/// pods disappear from the node's view.
/// </summary>
internal sealed class ResourceLoop<T> : IResourceLoop
    where T : class, IApiObject
{
    private readonly ResourceKind<T> _kind;
    private readonly ApiClient _client;
    private readonly ClusterWatchOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate;
    private readonly Action _changed;

    // Written under _gate, where the cluster watch reads them for snapshots and status; only the loop writes them,
    // so the loop itself may read them without the gate.
    private Dictionary<string, T> _store = new(StringComparer.Ordinal);
    private FrozenDictionary<string, T> _frozen = FrozenDictionary<string, T>.Empty;
    private string? _resourceVersion;
    private bool _connected;
    private long _relists;
    private long _watchRestarts;
    private string? _lastError;
    private DateTimeOffset? _lastEventAt;

    private static readonly WatchFailure ShortWatchFailure = new(FailureKind.Transient, "the watch ended at once without events");

    // Touched by the loop only.
    private int _failures;
    private int _relistsInARow;
    private string? _problem;

    public ResourceLoop(ResourceKind<T> kind, ApiClient client, ClusterWatchOptions options, ILogger logger, Lock gate, Action changed)
    {
        _kind = kind;
        _client = client;
        _options = options;
        _logger = logger;
        _gate = gate;
        _changed = changed;
    }

    public string Kind => _kind.Name;

    public bool Listed { get; private set; }

    public bool Dirty { get; private set; }

    /// <summary>The store as an immutable dictionary, rebuilt only when it changed. Call under the gate.</summary>
    public FrozenDictionary<string, T> TakeSnapshot()
    {
        if (Dirty)
        {
            _frozen = _store.ToFrozenDictionary(StringComparer.Ordinal);
            Dirty = false;
        }

        return _frozen;
    }

    public ResourceWatchStatus Status() =>
        new(Kind, _connected, _resourceVersion, _relists, _watchRestarts, _lastError, _lastEventAt);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var mustList = true;
        var watchedSinceList = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                if (mustList)
                {
                    await ListAsync(cancellationToken).ConfigureAwait(false);
                    mustList = false;
                    watchedSinceList = false;
                }

                string resourceVersion;
                lock (_gate)
                {
                    resourceVersion = _resourceVersion!;
                    if (watchedSinceList)
                    {
                        _watchRestarts++;
                    }
                }

                watchedSinceList = true;
                switch (await WatchOnceAsync(resourceVersion, cancellationToken).ConfigureAwait(false))
                {
                    case WatchEnd.ClosedAtOnce:
                        NoteFailure(ShortWatchFailure, null);
                        delay = Backoff.For(_failures, _options.MinBackoff, _options.MaxBackoff);
                        break;
                    case WatchEnd.Stalled:
                        // The server never got to say anything: failures stand as they were, neither reset nor counted.
                        WatchLog.WatchStalled(_logger, Kind, _options.WatchGrace.TotalSeconds, _resourceVersion);
                        delay = Backoff.Jitter(_options.MinBackoff);
                        break;
                    default:
                        WatchLog.WatchClosed(_logger, Kind, _resourceVersion);
                        NoteHealthy();
                        delay = Backoff.Jitter(_options.MinBackoff);
                        break;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var failure = WatchFailure.Classify(e);
                switch (failure.Kind)
                {
                    case FailureKind.MustRelist:
                        WatchLog.Relisting(_logger, Kind, _resourceVersion, failure.Description);
                        lock (_gate)
                        {
                            _lastError = failure.Description;
                        }

                        mustList = true;
                        // Back off when re-lists repeat without any event in between, so a server that keeps answering 410 is not hammered.
                        delay = Backoff.For(++_relistsInARow, _options.MinBackoff, _options.MaxBackoff);
                        break;
                    default:
                        NoteFailure(failure, e);
                        delay = Backoff.For(_failures, _options.MinBackoff, _options.MaxBackoff);
                        break;
                }
            }

            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads every page, then swaps the store in one step. A 410 on a continue token restarts from the first page.</summary>
    private async Task ListAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var items = new Dictionary<string, T>(StringComparer.Ordinal);
            string? next = null;
            string? listVersion = null;
            try
            {
                do
                {
                    var list = await ApiRequest.ListAsync(_client, _kind.Path, _kind.FieldSelector, next, _options.ListPageSize, _kind.ListType, cancellationToken)
                        .ConfigureAwait(false);
                    foreach (var item in list.Items ?? [])
                    {
                        items[_kind.Key(item)] = item;
                    }

                    listVersion = list.Metadata?.ResourceVersion;
                    next = list.Metadata?.Continue;
                }
                while (!string.IsNullOrEmpty(next));
            }
            catch (Exception e) when (next is not null && WatchFailure.Classify(e).Kind == FailureKind.MustRelist)
            {
                WatchLog.ContinueExpired(_logger, Kind);
                await Task.Delay(Backoff.Jitter(_options.MinBackoff), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (string.IsNullOrEmpty(listVersion))
            {
                throw new InvalidDataException($"the {Kind} list carries no resourceVersion to watch from");
            }

            Replace(items, listVersion);
            return;
        }
    }

    private void Replace(Dictionary<string, T> items, string listVersion)
    {
        bool changed;
        lock (_gate)
        {
            // A re-list that found what we had publishes nothing; the first list always does, to count towards Synced.
            changed = !Listed || !SameVersions(_store, items);
            if (Listed)
            {
                _relists++;
            }

            _store = items;
            Dirty |= changed;
            Listed = true;
            _resourceVersion = listVersion;
            _connected = true;
        }

        WatchLog.Listed(_logger, Kind, items.Count, listVersion);
        NoteHealthy();
        if (changed)
        {
            _changed();
        }
    }

    private async Task<WatchEnd> WatchOnceAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var timeoutSeconds = (int)Math.Max(1, Math.Ceiling(_options.WatchTimeout.TotalSeconds));

        // The server keeps timeoutSeconds; this deadline is for when it cannot (gone without a FIN or RST, a stuck
        // proxy): HttpClient.Timeout stops at the head, and a read on a dead connection would wait for ever.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds) + _options.WatchGrace);
        var started = Stopwatch.GetTimestamp();
        var events = 0;
        try
        {
            // Disposing the response closes the connection. An ERROR event (ApiException) or an
            // unreadable line (JsonException) ends this watch with that exception, for the caller to classify.
            using var response = await ApiRequest.WatchAsync(_client, _kind.Path, _kind.FieldSelector, resourceVersion, timeoutSeconds, deadline.Token)
                .ConfigureAwait(false);
            await foreach (var (type, item) in WatchStream.ReadAsync(response, _kind.Type, deadline.Token).ConfigureAwait(false))
            {
                events++;
                Apply(type, item);
            }
        }
        catch (Exception) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // However the cancelled read surfaced (cancellation, or an IOException from the stream).
            return WatchEnd.Stalled;
        }

        // At most half the timeout: a quiet watch the server ends on time, give or take its timer's precision, is no failure.
        var atOnce = TimeSpan.FromTicks(Math.Min(_options.ShortWatch.Ticks, TimeSpan.FromSeconds(timeoutSeconds).Ticks / 2));
        return events == 0 && Stopwatch.GetElapsedTime(started) < atOnce ? WatchEnd.ClosedAtOnce : WatchEnd.Closed;
    }

    private void Apply(WatchEventType type, T item)
    {
        var changed = false;
        var version = item.Metadata.ResourceVersion;
        lock (_gate)
        {
            _lastEventAt = DateTimeOffset.UtcNow;
            _connected = true;
            if (type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
            {
                var key = _kind.Key(item);
                if (_store.TryGetValue(key, out var held) && IsOlder(version, held.Metadata.ResourceVersion))
                {
                    WatchLog.StaleEvent(_logger, Kind, key, version);
                }
                else if (type == WatchEventType.Deleted)
                {
                    changed = _store.Remove(key);
                }
                else
                {
                    _store[key] = item;
                    changed = true;
                }
            }

            // Bookmarks (and every other event) only move the point a re-watch resumes from.
            if (!string.IsNullOrEmpty(version))
            {
                _resourceVersion = version;
            }

            Dirty |= changed;
        }

        _relistsInARow = 0;
        NoteHealthy();
        if (changed)
        {
            _changed();
        }
    }

    private void NoteHealthy()
    {
        if (_problem is not null)
        {
            WatchLog.Recovered(_logger, Kind, _failures, _problem);
            _problem = null;
        }

        _failures = 0;
        lock (_gate)
        {
            _connected = true;
        }
    }

    private void NoteFailure(WatchFailure failure, Exception? exception)
    {
        _failures++;
        lock (_gate)
        {
            _connected = false;
            _lastError = failure.Description;
        }

        // Once per distinct state, not per retry: an outage of minutes must not flood the log.
        if (_problem != failure.Description)
        {
            WatchLog.Failing(_logger, exception, Kind, failure.Description);
            _problem = failure.Description;
        }
    }

    /// <summary>
    /// resourceVersions are opaque to clients, but every etcd-backed server hands out increasing integers; when both parse,
    /// an event older than what we hold is out of order and ignored. Anything else is applied in order.
    /// </summary>
    private static bool IsOlder(string? incoming, string? held) =>
        ulong.TryParse(incoming, NumberStyles.None, CultureInfo.InvariantCulture, out var a)
        && ulong.TryParse(held, NumberStyles.None, CultureInfo.InvariantCulture, out var b)
        && a < b;

    private static bool SameVersions(Dictionary<string, T> held, Dictionary<string, T> listed)
    {
        if (held.Count != listed.Count)
        {
            return false;
        }

        foreach (var (key, item) in listed)
        {
            if (!held.TryGetValue(key, out var mine) || mine.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                return false;
            }
        }

        return true;
    }
}
