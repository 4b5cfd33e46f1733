namespace Weft.Kubernetes.Watch;

/// <summary>How a watch that was not broken by an error ended.</summary>
internal enum WatchEnd
{
    /// <summary>The server ended it (its timeoutSeconds, or at will) after events or after a while: resume.</summary>
    Closed,

    /// <summary>The server ended it at once without a single event: counted as a failure, so retries back off.</summary>
    ClosedAtOnce,

    /// <summary>Still open past timeoutSeconds and the grace: the connection is presumed dead and dropped; resume.</summary>
    Stalled,
}
