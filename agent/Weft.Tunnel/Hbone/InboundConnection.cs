using System.Net;
using Weft.Identity;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// One authenticated tunnel connection as its stream handlers see it: who the peer is, where
/// it connects from, and a token cancelled when the connection ends. It counts the handlers
/// running so the connection's owner can wait for the last one before it lets go.
/// </summary>
internal sealed class InboundConnection(SpiffeId peer, IPEndPoint peerAddress) : IDisposable
{
    private readonly CancellationTokenSource ended = new();
    private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock sync = new();
    private int running;
    private bool closed;

    public SpiffeId Peer { get; } = peer;

    public IPEndPoint PeerAddress { get; } = peerAddress;

    /// <summary>Cancelled when the connection has ended.</summary>
    public CancellationToken Token => ended.Token;

    /// <summary>A handler starts; false once the connection is closed (a stream queued just before the end).</summary>
    public bool TryEnter()
    {
        lock (sync)
        {
            if (closed)
            {
                return false;
            }

            running++;
            return true;
        }
    }

    public void Exit()
    {
        lock (sync)
        {
            if (--running == 0 && closed)
            {
                drained.TrySetResult();
            }
        }
    }

    /// <summary>The connection has ended: no handler may start, the running ones are told; completes when the last returns.</summary>
    public async Task CloseAsync()
    {
        lock (sync)
        {
            closed = true;
            if (running == 0)
            {
                drained.TrySetResult();
            }
        }

        try
        {
            await ended.CancelAsync().ConfigureAwait(false);
        }
        catch (AggregateException)
        {
            // A handler's cancellation callback threw; that handler's own failure is reported where it ends.
        }

        await drained.Task.ConfigureAwait(false);
    }

    public void Dispose() => ended.Dispose();
}
