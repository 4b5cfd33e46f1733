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
/// a reset of its own source only once that send completes (as tokio's copy does).
/// </summary>
public static class TcpRelay
{
    public const int ChunkSize = 64 * 1024;

    /// <param name="counts">Where the bytes are counted as they move (for live metrics); one is made when null.</param>
    public static async Task<RelayResult> RunAsync(Socket downstream, Socket upstream, CancellationToken cancellationToken, TransferCounts? counts = null)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        ArgumentNullException.ThrowIfNull(upstream);
        var counters = new RelayCounters(counts ?? new TransferCounts());

        // Cancellation resets both sockets once, rather than a token on every receive and send.
        await using var reg = cancellationToken.UnsafeRegister(
            static state =>
            {
                var (a, b) = ((Socket, Socket))state!;
                Reset(a);
                Reset(b);
            },
            (downstream, upstream)).ConfigureAwait(false);
        var toUpstream = PumpAsync(downstream, upstream, counters, sent: true);
        var toDownstream = PumpAsync(upstream, downstream, counters, sent: false);
        await Task.WhenAll(toUpstream, toDownstream).ConfigureAwait(false);
        return new RelayResult(counters.Counts.Sent, counters.Counts.Received, counters.Error);
    }

    private static async Task PumpAsync(Socket from, Socket to, RelayCounters counters, bool sent)
    {
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
                    counters.Add(sent, n);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            counters.Fail(e);

            // One side broke: the other must not hang waiting for a FIN that will never come.
            Reset(from);
            Reset(to);
        }
    }

    /// <summary>Closes with SO_LINGER 0, so the peer sees a reset rather than a clean end.</summary>
    public static void Reset(Socket socket) => SocketOptions.CloseWithReset(socket);

    private sealed class RelayCounters(TransferCounts counts)
    {
        public string? Error;

        public TransferCounts Counts { get; } = counts;

        public void Add(bool sent, int n)
        {
            if (sent)
            {
                Counts.AddSent(n);
            }
            else
            {
                Counts.AddReceived(n);
            }
        }

        public void Fail(Exception e)
        {
            Interlocked.CompareExchange(ref Error, e is SocketException se ? se.SocketErrorCode.ToString() : e.GetType().Name, null);
        }
    }
}

/// <summary>Bytes sent towards the upstream, received from it, and the first error if any.</summary>
public readonly record struct RelayResult(long Sent, long Received, string? Error);
