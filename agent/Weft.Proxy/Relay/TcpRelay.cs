using System.Buffers;
using System.Net.Sockets;
using Weft.Platform.Sockets;
using Weft.Platform.Transfer;

namespace Weft.Proxy.Relay;

/// <summary>
/// Copies bytes both ways between two connected sockets until both directions end.
/// Each direction waits with a zero-byte receive and rents a pooled buffer only once data
/// is there, so an idle connection holds no buffer; each send completes before the next
/// receive, so a slow reader slows the writer (back-pressure) instead of growing memory.
/// A FIN on one side becomes shutdown(SHUT_WR) on the other (half-close); an error on
/// either side resets both. A direction blocked sending to a peer that does not read notices
/// a reset of its own source only once that send completes (as tokio's copy does). The caller
/// awaits the relay's own state (<see cref="RelayCompletion{TResult}"/>), as for the tunnel relay.
/// </summary>
public static class TcpRelay
{
    public const int ChunkSize = 64 * 1024;

    /// <param name="counts">Where the bytes are counted as they move (for live metrics); one is made when null.</param>
    public static ValueTask<RelayResult> RunAsync(Socket downstream, Socket upstream, CancellationToken cancellationToken, TransferCounts? counts = null)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        ArgumentNullException.ThrowIfNull(upstream);
        var state = new State(downstream, upstream, counts ?? new TransferCounts());

        // Cancellation resets both sockets once, rather than a token on every receive and send.
        state.Registration = cancellationToken.UnsafeRegister(static s => ((State)s!).Abort(new OperationCanceledException()), state);
        _ = PumpAsync(state, toUpstream: true);
        _ = PumpAsync(state, toUpstream: false);
        return state.Completion;
    }

    private static async Task PumpAsync(State s, bool toUpstream)
    {
        var (from, to) = toUpstream ? (s.Downstream, s.Upstream) : (s.Upstream, s.Downstream);
        try
        {
            while (true)
            {
                await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    var n = await from.ReceiveAsync(buffer.AsMemory(0, ChunkSize), SocketFlags.None).ConfigureAwait(false);
                    if (n == 0)
                    {
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
                    s.Count(toUpstream, n);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side broke: the other must not hang waiting for a FIN that will never come.
            s.Abort(e);
        }
        catch (Exception e)
        {
            s.Fail(e);
        }
        finally
        {
            await s.DirectionDoneAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes with SO_LINGER 0, so the peer sees a reset rather than a clean end.</summary>
    public static void Reset(Socket socket) => SocketOptions.CloseWithReset(socket);

    private sealed class State(Socket downstream, Socket upstream, TransferCounts counts) : RelayCompletion<RelayResult>
    {
        public Socket Downstream { get; } = downstream;

        public Socket Upstream { get; } = upstream;

        public void Count(bool toUpstream, int n)
        {
            if (toUpstream)
            {
                counts.AddSent(n);
            }
            else
            {
                counts.AddReceived(n);
            }
        }

        protected override void ResetBothSides()
        {
            Reset(Downstream);
            Reset(Upstream);
        }

        protected override RelayResult CreateResult() => new(counts.Sent, counts.Received, Error);
    }
}

/// <summary>Bytes sent towards the upstream, received from it, and the first error if any.</summary>
public readonly record struct RelayResult(long Sent, long Received, string? Error);
