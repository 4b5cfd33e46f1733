namespace Weft.Kubernetes.Watch;

/// <summary>How the list+watch loop of one resource kind is doing.</summary>
/// <param name="Kind">The resource's plural name: namespaces, pods, services, endpointslices.</param>
/// <param name="Connected">The last exchange with the API server for this kind succeeded (a list, an event, or a watch the server closed normally).</param>
/// <param name="LastResourceVersion">The resourceVersion a re-watch resumes from; null before the first list.</param>
/// <param name="Relists">Lists after the first one, each caused by an expired resourceVersion (410 Gone).</param>
/// <param name="WatchRestarts">Watches re-opened from a remembered resourceVersion, without a list.</param>
/// <param name="LastError">The most recent failure, kept after recovery; null if there never was one.</param>
/// <param name="LastEventAt">When the last watch event (bookmarks included) arrived.</param>
public sealed record ResourceWatchStatus(
    string Kind,
    bool Connected,
    string? LastResourceVersion,
    long Relists,
    long WatchRestarts,
    string? LastError,
    DateTimeOffset? LastEventAt);
