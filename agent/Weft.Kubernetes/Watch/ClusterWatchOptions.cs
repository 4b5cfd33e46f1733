namespace Weft.Kubernetes.Watch;

public sealed class ClusterWatchOptions
{
    /// <summary>First retry delay after a failure; doubles per consecutive failure, jittered.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sent as timeoutSeconds (rounded up to whole seconds); the server closes the watch and we resume from the last resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long past <see cref="WatchTimeout"/> the client waits for a watch to end before it drops the connection and
    /// watches again from the last resourceVersion. timeoutSeconds is kept by the server only: a server or path gone
    /// without a FIN or RST would otherwise hold the watch open, and the agent's view stale, for ever.
    /// </summary>
    public TimeSpan WatchGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A watch that ends sooner than this without a single event counts as a failure and is retried with backoff,
    /// as client-go's reflector does: a server that ends every watch at once must not be polled in a tight loop.
    /// Never more than half of <see cref="WatchTimeout"/>, so a quiet watch ended on time does not count.
    /// </summary>
    public TimeSpan ShortWatch { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bursts of events within this window are coalesced into one published snapshot.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Objects per LIST page (limit); larger lists are read with continue tokens.</summary>
    public int ListPageSize { get; set; } = 500;

    /// <summary>Optional fieldSelector for pods, e.g. "spec.nodeName=node-a" to hold only this node's pods.</summary>
    public string? PodFieldSelector { get; set; }

    /// <summary>A zero backoff would turn an outage into a busy loop against the API server, so it is refused up front.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinBackoff, TimeSpan.Zero, nameof(MinBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, MinBackoff, nameof(MaxBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchTimeout, TimeSpan.FromSeconds(1), nameof(WatchTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WatchGrace, TimeSpan.Zero, nameof(WatchGrace));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShortWatch, TimeSpan.Zero, nameof(ShortWatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(Debounce, TimeSpan.Zero, nameof(Debounce));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ListPageSize, 0, nameof(ListPageSize));
    }
}
