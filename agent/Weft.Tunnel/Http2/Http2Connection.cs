using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Http2.Hpack;

namespace Weft.Tunnel.Http2;

/// <summary>
/// One HTTP/2 connection over a duplex stream (an SslStream for HBONE), as client or server.
/// Three loops run while it lives: the read loop (parses frames, fills stream buffers), the
/// write loop (the only writer of the transport: control frames first, then DATA from streams
/// in turn) and a keep-alive timer. All protocol state sits behind one lock, held only for
/// short, non-blocking work. The connection owns the transport and disposes it when it ends.
/// </summary>
public sealed partial class Http2Connection : IAsyncDisposable
{
    private const int DefaultWindow = 65_535;
    private const long MaxWindow = int.MaxValue;
    private const long MaxStreamId = int.MaxValue;

    private readonly Stream transport;
    private readonly Http2Options options;
    private readonly ILogger log;
    private readonly Func<Http2Stream, Task>? onStream;
    private readonly bool isServer;
    private readonly string role;
    private readonly Lock sync = new();
    private readonly Dictionary<int, Http2Stream> streams = [];
    private readonly StreamIdHistory history = new();
    private readonly HpackDecoder decoder;
    private readonly TaskCompletionSource peerSettings = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int started;

    // Guarded by sync.
    private long nextStreamId;
    private int lastPeerStreamId;
    private int localActive;
    private int peerActive;
    private int peerMaxConcurrent = int.MaxValue;
    private int peerInitialWindow = DefaultWindow;
    private int peerMaxFrameSize = FrameHeader.MinMaxFrameSize;
    private bool goAwaySent;
    private bool goAwayReceived;
    private Http2ConnectionException? peerGoAwayError;

    private Http2Connection(Stream transport, Http2Options options, ILogger log, Func<Http2Stream, Task>? onStream, bool isServer)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        this.transport = transport;
        this.options = options;
        this.log = log;
        this.onStream = onStream;
        this.isServer = isServer;
        role = isServer ? "server" : "client";
        nextStreamId = isServer ? 2 : 1;
        decoder = new HpackDecoder(maxTableSize: 4096, options.MaxHeaderListSize);
        connReceiveWindow = DefaultWindow;
        connSendWindow = DefaultWindow;
    }

    /// <summary>The client end: opens streams with <see cref="OpenStreamAsync"/>.</summary>
    public static Http2Connection Client(Stream transport, Http2Options options, ILogger log) =>
        new(transport, options, log, onStream: null, isServer: false);

    /// <summary>
    /// The server end: every accepted stream is handed to <paramref name="onStream"/> on the thread
    /// pool. When the handler's task ends, whatever is still open of the stream is reset
    /// (NO_ERROR if our side was complete, CANCEL if not, INTERNAL_ERROR if the handler threw).
    /// </summary>
    public static Http2Connection Server(Stream transport, Http2Options options, Func<Http2Stream, Task> onStream, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(onStream);
        return new(transport, options, log, onStream, isServer: true);
    }

    /// <summary>Streams open or half-closed.</summary>
    public int ActiveStreams
    {
        get
        {
            lock (sync)
            {
                return streams.Count;
            }
        }
    }

    /// <summary>Whether <see cref="OpenStreamAsync"/> would open a stream now (not going away, below the peer's limit).</summary>
    public bool CanOpenStream
    {
        get
        {
            lock (sync)
            {
                return !isServer && !terminating && !goAwaySent && !goAwayReceived && nextStreamId <= MaxStreamId && localActive < peerMaxConcurrent;
            }
        }
    }

    /// <summary>Completes when the peer's first SETTINGS frame arrived (faults if the connection ended first).</summary>
    public Task PeerSettingsReceived => peerSettings.Task;

    /// <summary>The peer's SETTINGS_MAX_CONCURRENT_STREAMS: unlimited until its SETTINGS arrive.</summary>
    public int PeerMaxConcurrentStreams
    {
        get
        {
            lock (sync)
            {
                return peerMaxConcurrent;
            }
        }
    }

    /// <summary>
    /// Told of every stream this end resets for the peer's fault (REFUSED_STREAM beyond the stream
    /// limit, a stream-level protocol or flow-control error), so callers can count them. Set it
    /// before <see cref="RunAsync"/>; it runs under the connection's lock and must only count.
    /// </summary>
    public Action<Http2ErrorCode>? StreamRejected { get; set; }

    /// <summary>Completes (never faults) once the connection has ended and the transport is closed.</summary>
    public Task Completion => completion.Task;

    /// <summary>
    /// Runs the connection: preface and SETTINGS, then reads frames until it ends. Returns when it
    /// ended cleanly (GOAWAY drained, peer closed, disposed); throws <see cref="Http2ConnectionException"/>
    /// when it ended on an error (protocol error either side, PING timeout, transport failure).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref started, 1) != 0)
        {
            throw new InvalidOperationException("RunAsync was already called");
        }

        Http2Log.Started(log, role);
        // Zero-byte reads: an idle connection waits for data without holding a buffer (SslStream
        // passes them through, and holds none of its own while drained).
        reader = PipeReader.Create(transport, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true));
        keepAliveTimer = KeepAlivePeriod() is { } period ? new PeriodicTimer(period) : null;
        lock (sync)
        {
            WriteHandshakeLocked();
        }

        var writer = WriteLoopAsync();
        var keepAlive = KeepAliveLoopAsync();
        using (cancellationToken.UnsafeRegister(static s => ((Http2Connection)s!).OnRunCancelled(), this))
        {
            await ReadLoopAsync().ConfigureAwait(false);
            await writer.ConfigureAwait(false);
            await keepAlive.ConfigureAwait(false);
        }

        await CloseTransportAsync().ConfigureAwait(false);
        Http2Log.Ended(log, role, endReason ?? "closed");
        completion.TrySetResult();
        if (runError is not null)
        {
            ExceptionDispatchInfo.Throw(runError);
        }
    }

    /// <summary>
    /// Client: opens a stream with a HEADERS frame without END_STREAM (a CONNECT request stays
    /// open for data). Waits for the server's SETTINGS before the first stream (so its limits are
    /// known), and while the peer's SETTINGS_MAX_CONCURRENT_STREAMS are in use: excess opens queue
    /// here, in order, rather than being refused. Throws <see cref="Http2ConnectionException"/>
    /// when the connection is going away or ended.
    /// </summary>
    public async Task<Http2Stream> OpenStreamAsync(IReadOnlyList<HeaderField> requestHeaders, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestHeaders);
        if (isServer)
        {
            throw new InvalidOperationException("only the client end opens streams");
        }

        if (HeaderRules.Check(requestHeaders, HeaderKind.Request) is { } problem)
        {
            throw new ArgumentException($"malformed request: {problem}", nameof(requestHeaders));
        }

        await peerSettings.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            TaskCompletionSource slot;
            lock (sync)
            {
                ThrowIfCannotOpenLocked();
                ThrowIfTooLargeForPeerLocked(requestHeaders);
                if (localActive < peerMaxConcurrent)
                {
                    return OpenLocked(requestHeaders);
                }

                slot = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                openWaiters.Enqueue(slot);
            }

            try
            {
                await slot.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                lock (sync)
                {
                    // Released just as we gave up: hand the free slot to the next in line.
                    if (!slot.TrySetCanceled(cancellationToken))
                    {
                        ReleaseOpenWaitersLocked();
                    }
                }

                throw;
            }
        }
    }

    /// <summary>
    /// Graceful shutdown: sends GOAWAY (last stream id = the last peer stream we took), opens and
    /// accepts no new streams, lets the existing ones finish, then closes. Returns once GOAWAY is queued.
    /// </summary>
    public Task GoAwayAsync(Http2ErrorCode code, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (sync)
        {
            if (terminating || goAwaySent)
            {
                return Task.CompletedTask;
            }

            goAwaySent = true;
            var last = isServer ? lastPeerStreamId : 0;
            FrameWriter.WriteGoAway(pending, last, code, []);
            Http2Log.GoingAway(log, role, code, last, streams.Count);
            FailOpenWaitersLocked(new Http2ConnectionException(Http2ErrorCode.NoError, "the connection is going away"));
            writerWake.Set();
            CheckDrainedLocked();
        }

        return Task.CompletedTask;
    }

    /// <summary>Closes at once: GOAWAY (NO_ERROR) if it can, then the transport; open streams fail.</summary>
    public async ValueTask DisposeAsync()
    {
        var disposed = new Http2ConnectionException(Http2ErrorCode.NoError, "the connection was disposed");
        Terminate(disposed, runError: null, Http2ErrorCode.NoError, lingerForPeer: false);
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            // Never ran: nothing else will close the transport.
            await CloseTransportAsync().ConfigureAwait(false);
            completion.TrySetResult();
        }

        await completion.Task.ConfigureAwait(false);
    }

    private void ThrowIfCannotOpenLocked()
    {
        if (terminating)
        {
            throw new Http2ConnectionException(Http2ErrorCode.NoError, $"the connection has ended: {endReason}");
        }

        if (goAwaySent || goAwayReceived)
        {
            throw new Http2ConnectionException(Http2ErrorCode.NoError, "the connection is going away");
        }

        if (nextStreamId > MaxStreamId)
        {
            throw new Http2ConnectionException(Http2ErrorCode.NoError, "stream ids are exhausted");
        }
    }

    private Http2Stream OpenLocked(IReadOnlyList<HeaderField> requestHeaders)
    {
        var stream = new Http2Stream(this, (int)nextStreamId, requestHeaders, peerInitialWindow, options.InitialStreamWindow);
        nextStreamId += 2;
        streams.Add(stream.Id, stream);
        localActive++;

        // Allocating the id and queueing its HEADERS under one lock keeps ids rising on the wire.
        WriteHeaderBlockLocked(stream.Id, requestHeaders, endStream: false);
        stream.HeadersSent = true;
        writerWake.Set();
        return stream;
    }

    private bool IsPeerInitiated(int streamId) => ((streamId & 1) == 1) == isServer;

    /// <summary>An id the given side has not used yet: frames other than HEADERS on it are protocol errors.</summary>
    private bool IsIdleLocked(int streamId) =>
        IsPeerInitiated(streamId) ? streamId > lastPeerStreamId : streamId >= nextStreamId;
}
