namespace Weft.Tunnel.Http2;

/// <summary>
/// Server handlers, counted apart from streams. A stream the peer resets closes at once (its slot
/// under our SETTINGS_MAX_CONCURRENT_STREAMS frees, as the peer expects), but its handler may still
/// be at work, authorizing or connecting to the application. So at most MaxConcurrentStreams
/// handlers run at once; a stream accepted beyond that waits for one to return, and a peer that
/// makes more than <see cref="WaitingHandlersPerStream"/> times that many wait (a HEADERS +
/// RST_STREAM loop, "rapid reset", CVE-2023-44487) gets GOAWAY(ENHANCE_YOUR_CALM). So does a peer
/// resetting the streams it opened faster than <see cref="PeerResets"/> allows.
/// </summary>
public sealed partial class Http2Connection
{
    /// <summary>Waiting handlers allowed per stream of the limit, as Go's server allows.</summary>
    internal const int WaitingHandlersPerStream = 4;

    /// <summary>Resets of peer-opened streams: a burst of this many, then this many per second.</summary>
    internal const int PeerResets = 1000;
    internal const int PeerResetsPerSecond = 100;

    private readonly Queue<Http2Stream> waitingHandlers = new();
    private readonly RateBudget peerResetBudget = new(PeerResets, PeerResetsPerSecond);

    // Guarded by sync.
    private int handlersRunning;

    /// <summary>Handlers started and not yet returned (for tests).</summary>
    internal int HandlersRunning
    {
        get
        {
            lock (sync)
            {
                return handlersRunning;
            }
        }
    }

    /// <returns>Whether the stream's handler may start now; otherwise it was queued.</returns>
    private bool TryReserveHandlerLocked(Http2Stream stream)
    {
        if (handlersRunning < options.MaxConcurrentStreams)
        {
            handlersRunning++;
            return true;
        }

        if (waitingHandlers.Count >= WaitingHandlersPerStream * options.MaxConcurrentStreams)
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm,
                $"{waitingHandlers.Count} streams wait for the {handlersRunning} handlers still running (streams reset before their work ended)");
        }

        waitingHandlers.Enqueue(stream);
        return false;
    }

    private static void StartHandler(Http2Stream stream) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Connection.RunHandlerAsync(s), stream, preferLocal: false);

    /// <summary>A handler returned: its slot goes to the next waiting stream still worth serving.</summary>
    private void ReleaseHandlerLocked()
    {
        while (waitingHandlers.TryDequeue(out var next))
        {
            // Reset (or the connection ended) while it waited: nobody wants its work done.
            if (!next.Aborted)
            {
                StartHandler(next);
                return;
            }
        }

        handlersRunning--;
    }

    /// <summary>The peer reset a stream it opened; a loop of these ends the connection.</summary>
    private void CountPeerResetLocked(Http2Stream stream)
    {
        if (isServer && IsPeerInitiated(stream.Id) && !peerResetBudget.TryTake(Environment.TickCount64))
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm,
                $"the peer resets the streams it opens too fast (more than {PeerResets} at once or {PeerResetsPerSecond}/s)");
        }
    }
}
