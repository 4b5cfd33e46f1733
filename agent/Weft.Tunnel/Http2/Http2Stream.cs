using System.Diagnostics.CodeAnalysis;

namespace Weft.Tunnel.Http2;

/// <summary>
/// One HTTP/2 stream: a CONNECT tunnel, normally. Reads and writes may run concurrently with
/// each other, but each direction has one caller at a time (like a socket). Data written is
/// copied into the connection's outgoing batch before WriteAsync completes, so the caller's
/// buffer is free again on return.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "an HTTP/2 stream is the protocol's term; this is not a System.IO.Stream")]
public sealed class Http2Stream
{
    private readonly TaskCompletionSource<IReadOnlyList<HeaderField>> response = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Http2Stream(Http2Connection connection, int id, IReadOnlyList<HeaderField> requestHeaders, long sendWindow, int receiveWindow)
    {
        Connection = connection;
        Id = id;
        RequestHeaders = requestHeaders;
        SendWindow = sendWindow;
        ReceiveWindow = receiveWindow;
    }

    public int Id { get; }

    /// <summary>The request: received (server side) or sent (client side).</summary>
    public IReadOnlyList<HeaderField> RequestHeaders { get; }

    /// <summary>
    /// Cancelled when the stream is reset, either way, or its connection ends: a server handler's cue
    /// to stop work nobody waits for any more. A clean end (END_STREAM both ways) does not cancel it.
    /// </summary>
    public CancellationToken StreamAborted => Connection.AbortTokenOf(this);

    /// <summary>The response: received (client side; 1xx responses are skipped) or sent (server side).</summary>
    public Task<IReadOnlyList<HeaderField>> ResponseHeaders => response.Task;

    internal Http2Connection Connection { get; }

    // Protocol state; all of it is guarded by the connection's lock.
    internal long SendWindow { get; set; }

    internal int ReceiveWindow { get; set; }

    internal int ReceiveUnacked { get; set; }

    internal ReadOnlyMemory<byte> PendingData { get; set; }

    internal bool InReadyQueue { get; set; }

    internal bool HeadersSent { get; set; }

    internal bool ResponseReceived { get; set; }

    internal bool LocalEnded { get; set; }

    internal bool RemoteEnded { get; set; }

    internal bool Closed { get; set; }

    /// <summary>Why sending is impossible (reset, connection ended); thrown to writers.</summary>
    internal Exception? Failure { get; set; }

    /// <summary>Reset either way: the reader has failed too and unread data is gone.</summary>
    internal bool Aborted { get; set; }

    /// <summary>Behind <see cref="StreamAborted"/>, made when first asked for; cancelled (then dropped) on abort.</summary>
    internal CancellationTokenSource? AbortSource { get; set; }

    /// <summary>Completes the pending WriteAsync: when the write loop has taken all its data, or the stream failed.</summary>
    internal ReusableValueTaskSource<bool> WriteDone { get; } = new();

    internal bool WritePending { get; set; }

    internal StreamReceiveBuffer Received { get; } = new();

    /// <summary>Received octets not yet read (bounded by the window we advertised).</summary>
    internal int BufferedBytes => Received.Buffered;

    /// <summary>
    /// Server side: sends the response HEADERS (e.g. :status 200 to accept a CONNECT, 4xx/5xx to
    /// refuse it with <paramref name="endStream"/>). Queued at once; the writer sends it in order.
    /// </summary>
    public ValueTask RespondAsync(IReadOnlyList<HeaderField> headers, bool endStream, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Connection.Respond(this, headers, endStream);
        return default;
    }

    /// <summary>
    /// Reads received data: the octets read, or 0 once the peer ended its side (END_STREAM).
    /// With an empty buffer it waits until data (or the end) is there and returns 0, so a relay can
    /// wait without holding a buffer. One read at a time. Throws <see cref="Http2StreamException"/>
    /// when the stream was reset, <see cref="Http2ConnectionException"/> when the connection ended.
    /// </summary>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = Received.ReadAsync(buffer, cancellationToken, out var copied);
        if (copied > 0)
        {
            // The window reopens only now that the application has the data: back-pressure.
            Connection.OnDataConsumed(this, copied);
        }

        return result;
    }

    /// <summary>
    /// Sends data, as DATA frames no larger than the peer allows, as the stream's and the
    /// connection's send windows open: it completes once all of it is queued for the transport,
    /// and waits while the windows are shut (back-pressure). One write at a time. Cancelling a
    /// write that has not completed resets the stream (CANCEL), since part of it may be sent.
    /// </summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        data.IsEmpty ? default : Connection.EnqueueData(this, data, cancellationToken);

    /// <summary>Ends our side of the stream (END_STREAM): the TCP half-close of a tunnel. Idempotent.</summary>
    public ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Connection.EndStream(this);
        return default;
    }

    /// <summary>Aborts the stream (RST_STREAM with <paramref name="code"/>), dropping unread data. Idempotent.</summary>
    public void Reset(Http2ErrorCode code = Http2ErrorCode.Cancel) => Connection.ResetByApplication(this, code);

    internal void SetResponse(IReadOnlyList<HeaderField> headers) => response.TrySetResult(headers);

    internal void FailResponse(Exception error)
    {
        if (response.TrySetException(error))
        {
            // Nobody need look at the response of a stream that failed: mark it observed.
            _ = response.Task.Exception;
        }
    }
}
