using System.Buffers;
using System.Net.Sockets;
using Weft.Platform.Sockets;
using Weft.Platform.Transfer;
using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// Copies bytes both ways between a plain TCP socket and an HBONE stream (one HTTP/2 CONNECT
/// stream) until both directions end. A FIN from the socket becomes END_STREAM, END_STREAM
/// becomes shutdown(SHUT_WR); a failure on either side resets both (RST_STREAM, TCP RST).
/// Flow control on the stream and one send at a time on the socket give back-pressure both ways.
/// A relay lives as long as its connection, idle or not, so it is one small object (the
/// awaited <see cref="RelayCompletion{TResult}"/>) and the two direction loops.
/// </summary>
public static class TunnelRelay
{
    public const int ChunkSize = 64 * 1024;

    /// <param name="counts">
    /// Where the bytes are counted as they move (for live metrics), from the initiator's point of
    /// view: Sent is what the initiator sent. One is made when null.
    /// </param>
    /// <param name="socketIsInitiator">
    /// True when the socket is the connection's initiator (outbound: the application); false when
    /// the stream is (inbound: the socket is the application being reached).
    /// </param>
    public static ValueTask<TunnelRelayResult> RunAsync(Socket socket, Http2Stream stream, CancellationToken cancellationToken, TransferCounts? counts = null, bool socketIsInitiator = true)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(stream);
        var state = new State(socket, stream, counts ?? new TransferCounts(), socketIsInitiator);
        state.Registration = cancellationToken.UnsafeRegister(static s => ((State)s!).Abort(new OperationCanceledException()), state);
        _ = SocketToStreamAsync(state);
        _ = StreamToSocketAsync(state);
        return state.Completion;
    }

    private static async Task SocketToStreamAsync(State s)
    {
        try
        {
            while (true)
            {
                // Wait for data without holding a buffer: an idle tunnel costs no memory here.
                await s.Socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    var n = await s.Socket.ReceiveAsync(buffer.AsMemory(0, ChunkSize), SocketFlags.None).ConfigureAwait(false);
                    if (n == 0)
                    {
                        await s.Stream.CompleteWritesAsync().ConfigureAwait(false);
                        return;
                    }

                    await s.Stream.WriteAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                    s.CountFromSocket(n);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or Http2Exception or IOException or OperationCanceledException)
        {
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

    private static async Task StreamToSocketAsync(State s)
    {
        try
        {
            while (true)
            {
                // An empty read waits for data (or the end) without holding a buffer.
                await s.Stream.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                try
                {
                    var n = await s.Stream.ReadAsync(buffer.AsMemory(0, ChunkSize)).ConfigureAwait(false);
                    if (n == 0)
                    {
                        s.Socket.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    await s.Socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
                    s.CountFromStream(n);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or Http2Exception or IOException or OperationCanceledException)
        {
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

    private sealed class State(Socket socket, Http2Stream stream, TransferCounts counts, bool socketIsInitiator)
        : RelayCompletion<TunnelRelayResult>
    {
        public Socket Socket { get; } = socket;

        public Http2Stream Stream { get; } = stream;

        public void CountFromSocket(int n)
        {
            if (socketIsInitiator)
            {
                counts.AddSent(n);
            }
            else
            {
                counts.AddReceived(n);
            }
        }

        public void CountFromStream(int n)
        {
            if (socketIsInitiator)
            {
                counts.AddReceived(n);
            }
            else
            {
                counts.AddSent(n);
            }
        }

        protected override void ResetBothSides()
        {
            Stream.Reset(Http2ErrorCode.Cancel);
            SocketOptions.CloseWithReset(Socket);
        }

        protected override TunnelRelayResult CreateResult() => new(counts.Sent, counts.Received, Error);
    }
}

/// <summary>Bytes the initiator sent (socket → stream when the socket is the initiator), bytes it received, and the first error.</summary>
public readonly record struct TunnelRelayResult(long Sent, long Received, string? Error);
