namespace Weft.Tunnel.Http2;

/// <summary>
/// Limits on what a peer can make us do for it: answers queued to a peer that does not read
/// them, SETTINGS entries per frame, a write that makes no progress. Each ends the connection
/// with GOAWAY(ENHANCE_YOUR_CALM) rather than letting memory or work grow.
/// </summary>
public sealed partial class Http2Connection
{
    /// <summary>
    /// Answers (PING and SETTINGS ACKs, RST_STREAM for the peer's fault) queued and not yet handed to
    /// the transport. A reading peer never gets near it: the queue is swapped out with every batch.
    /// </summary>
    internal const int MaxQueuedReplies = 1000;

    /// <summary>Entries one SETTINGS frame may carry: a real peer sends a handful, and each costs us work.</summary>
    internal const int MaxSettingsPerFrame = 32;

    // Guarded by sync; reset when the write loop takes the pending buffer.
    private int repliesQueued;

    // When the write loop's current transport write started; 0 while it is not writing.
    private long writeStartedAt;

    /// <summary>Counts one more answer to be queued; past the cap the peer is not reading them.</summary>
    private void CountReplyLocked()
    {
        if (++repliesQueued > MaxQueuedReplies)
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm,
                $"more than {MaxQueuedReplies} answers (PING/SETTINGS ACKs, RST_STREAM) queued for a peer that does not read them");
        }
    }

    /// <summary>Whether the write in progress has been stuck at least <paramref name="timeoutMs"/>.</summary>
    private bool WriteStalled(long now, long timeoutMs)
    {
        var started = Volatile.Read(ref writeStartedAt);
        return started != 0 && now - started >= timeoutMs;
    }
}
