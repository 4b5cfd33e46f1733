using System.Runtime.ExceptionServices;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Http2.Hpack;

namespace Weft.Tunnel.Http2;

/// <summary>
/// The sending side. Frames are serialised under the lock into <see cref="pending"/>; the write
/// loop swaps it with <see cref="writing"/> and writes that to the transport in one call while
/// producers fill the other. Control frames go straight into the buffer, so they never wait
/// behind data; DATA is added by the write loop itself, one frame per ready stream in turn
/// (fair interleaving), as far as the send windows allow and up to a batch size. A writer whose
/// data is not yet in a batch waits: that, and one batch in flight at a time, is back-pressure.
/// </summary>
public sealed partial class Http2Connection
{
    // DATA frames we send: at most the peer's maximum, and no more than one TLS record of data,
    // which keeps the turns between streams short.
    private const int DataFrameChunk = 16 * 1024;
    private const int WriteBatch = 64 * 1024;

    private readonly Queue<Http2Stream> ready = new();
    private readonly AsyncSignal writerWake = new();
    private readonly FrameBuffer headerScratch = new();
    private FrameBuffer pending = new();
    private FrameBuffer writing = new();
    private long connSendWindow;

    /// <summary>Bytes the frame buffers hold right now: none while the connection is idle.</summary>
    internal int FrameBufferBytesHeld
    {
        get
        {
            lock (sync)
            {
                return pending.Capacity + writing.Capacity + headerScratch.Capacity;
            }
        }
    }

    private void WriteHandshakeLocked()
    {
        if (!isServer)
        {
            var span = pending.GetSpan(ConnectionPreface.Length);
            ConnectionPreface.Client.CopyTo(span);
            pending.Advance(ConnectionPreface.Length);
        }

        Span<Setting> settings =
        [
            new(SettingId.EnablePush, 0),
            new(SettingId.InitialWindowSize, (uint)options.InitialStreamWindow),
            new(SettingId.MaxFrameSize, (uint)options.MaxFrameSize),
            new(SettingId.MaxHeaderListSize, (uint)options.MaxHeaderListSize),
            new(SettingId.MaxConcurrentStreams, (uint)options.MaxConcurrentStreams),
        ];

        // ENABLE_PUSH is a client's to send; the concurrency limit only matters from the server.
        FrameWriter.WriteSettings(pending, isServer ? settings[1..] : settings[..4]);
        settingsSentAt = Environment.TickCount64;
        if (options.ConnectionWindow > DefaultWindow)
        {
            FrameWriter.WriteWindowUpdate(pending, 0, options.ConnectionWindow - DefaultWindow);
            connReceiveWindow = options.ConnectionWindow;
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                FrameBuffer? batch = null;
                lock (sync)
                {
                    ScheduleDataLocked();
                    if (pending.WrittenCount > 0)
                    {
                        batch = pending;
                        pending = writing;
                        writing = batch;
                        repliesQueued = 0;
                    }
                    else if (terminating)
                    {
                        break;
                    }
                }

                if (batch is null)
                {
                    await writerWake.WaitAsync().ConfigureAwait(false);
                    continue;
                }

                // Timed so keep-alive can end a connection whose peer stopped reading (see WriteStalled).
                Volatile.Write(ref writeStartedAt, Environment.TickCount64);
                await transport.WriteAsync(batch.WrittenMemory).ConfigureAwait(false);
                await transport.FlushAsync().ConfigureAwait(false);
                Volatile.Write(ref writeStartedAt, 0);
                batch.Clear();
            }

            // Everything, GOAWAY included, is out: tell the peer we are done writing.
            await ShutdownWritesAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            OnTransportFailed(e);
        }
        finally
        {
            StopReadingAfterWriter();
        }
    }

    /// <summary>Adds DATA frames for ready streams in turn, as the windows and the batch allow.</summary>
    private void ScheduleDataLocked()
    {
        var frameMax = Math.Min(peerMaxFrameSize, DataFrameChunk);
        var budget = WriteBatch - pending.WrittenCount;
        while (budget > 0 && connSendWindow > 0 && ready.TryDequeue(out var stream))
        {
            stream.InReadyQueue = false;
            var data = stream.PendingData;
            var n = (int)Math.Min(Math.Min(data.Length, frameMax), Math.Min(stream.SendWindow, connSendWindow));
            if (n <= 0)
            {
                // Reset, or its window is shut: a WINDOW_UPDATE puts it back in line.
                continue;
            }

            FrameWriter.WriteData(pending, stream.Id, data.Span[..n], endStream: false);
            stream.PendingData = data[n..];
            stream.SendWindow -= n;
            connSendWindow -= n;
            budget -= n + FrameHeader.Size;
            if (stream.PendingData.IsEmpty)
            {
                FinishWriteLocked(stream, null);
            }
            else
            {
                MakeReadyLocked(stream);
            }
        }
    }

    /// <returns>Whether the stream joined the queue (and the writer must be woken).</returns>
    private bool MakeReadyLocked(Http2Stream stream, bool wake = true)
    {
        if (!stream.InReadyQueue && !stream.PendingData.IsEmpty && stream.SendWindow > 0)
        {
            stream.InReadyQueue = true;
            ready.Enqueue(stream);
            if (wake)
            {
                writerWake.Set();
            }

            return true;
        }

        return false;
    }

    internal ValueTask EnqueueData(Http2Stream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        short token;
        bool queued;
        lock (sync)
        {
            ThrowIfCannotSendLocked(stream);
            if (stream.WritePending)
            {
                throw new InvalidOperationException("a write is already in progress on this stream");
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            stream.PendingData = data;
            stream.WritePending = true;
            token = stream.WriteDone.Reset();
            queued = MakeReadyLocked(stream, wake: false);
        }

        if (queued)
        {
            // Outside the lock, the writer (if idle) takes its turn on this thread: the data is
            // framed, encrypted and sent without a hop to the thread pool and back, and the write
            // is usually complete by the time the caller awaits it.
            writerWake.SetInline();
        }

        stream.WriteDone.CancelOn(static s => ((Http2Stream)s!).Connection.CancelWrite((Http2Stream)s), stream, cancellationToken);
        return new ValueTask(stream.WriteDone, token);
    }

    /// <summary>Completes the stream's pending write: done, or failed with <paramref name="error"/>.</summary>
    private static void FinishWriteLocked(Http2Stream stream, Exception? error)
    {
        if (!stream.WritePending)
        {
            return;
        }

        stream.WritePending = false;
        stream.PendingData = default;
        if (error is null)
        {
            stream.WriteDone.SetResult(true);
        }
        else
        {
            stream.WriteDone.SetException(error);
        }
    }

    private void CancelWrite(Http2Stream stream)
    {
        lock (sync)
        {
            if (!stream.WritePending)
            {
                return;
            }

            // Part of it may be on the wire already: the stream cannot continue.
            FinishWriteLocked(stream, new OperationCanceledException("the write was cancelled"));
            ResetLocked(stream, Http2ErrorCode.Cancel, sendRst: true, new Http2StreamException(Http2ErrorCode.Cancel, "a write was cancelled"));
        }
    }

    internal void EndStream(Http2Stream stream)
    {
        lock (sync)
        {
            if (stream.LocalEnded && stream.Failure is null)
            {
                return;
            }

            ThrowIfCannotSendLocked(stream);
            if (stream.WritePending)
            {
                throw new InvalidOperationException("a write is still in progress on this stream");
            }

            FrameWriter.WriteData(pending, stream.Id, [], endStream: true);
            writerWake.Set();
            MarkLocalEndedLocked(stream);
        }
    }

    internal void Respond(Http2Stream stream, IReadOnlyList<HeaderField> headers, bool endStream)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (!isServer)
        {
            throw new InvalidOperationException("only the server end responds");
        }

        if (HeaderRules.Check(headers, HeaderKind.Response) is { } problem)
        {
            throw new ArgumentException($"malformed response: {problem}", nameof(headers));
        }

        lock (sync)
        {
            if (stream.HeadersSent)
            {
                throw new InvalidOperationException("the response was already sent");
            }

            ThrowIfTooLargeForPeerLocked(headers);
            stream.HeadersSent = true;
            ThrowIfCannotSendLocked(stream);
            WriteHeaderBlockLocked(stream.Id, headers, endStream);
            stream.SetResponse(headers);
            writerWake.Set();
            if (endStream)
            {
                MarkLocalEndedLocked(stream);
            }
        }
    }

    private void ThrowIfCannotSendLocked(Http2Stream stream)
    {
        if (stream.Failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        if (terminating)
        {
            throw new Http2ConnectionException(Http2ErrorCode.NoError, $"the connection has ended: {endReason}");
        }

        if (stream.LocalEnded)
        {
            throw new InvalidOperationException("writes on this stream were completed");
        }

        if (!stream.HeadersSent)
        {
            throw new InvalidOperationException("respond before sending data");
        }
    }

    /// <summary>The peer's SETTINGS_MAX_HEADER_LIST_SIZE is advisory, but a list beyond it would only be refused there.</summary>
    private void ThrowIfTooLargeForPeerLocked(IReadOnlyList<HeaderField> headers)
    {
        long size = 0;
        for (var i = 0; i < headers.Count; i++)
        {
            size += headers[i].Size;
        }

        if (size > peerMaxHeaderListSize)
        {
            throw new ArgumentException($"the header list ({size} octets) exceeds the peer's limit of {peerMaxHeaderListSize}", nameof(headers));
        }
    }

    private void WriteHeaderBlockLocked(int streamId, IReadOnlyList<HeaderField> headers, bool endStream)
    {
        encoderTable.WriteUpdateIfDue(headerScratch);
        HpackEncoder.Encode(headers, headerScratch);
        FrameWriter.WriteHeaders(pending, streamId, headerScratch.WrittenSpan, endStream, peerMaxFrameSize);
        headerScratch.Clear();
    }
}
