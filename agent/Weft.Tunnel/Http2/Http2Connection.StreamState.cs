using Weft.Tunnel.Http2.Frames;

namespace Weft.Tunnel.Http2;

/// <summary>
/// Stream lifecycle (RFC 9113 §5.1), reduced to two flags: our side ended (END_STREAM queued)
/// and the peer's side ended. Both set, or a reset either way, closes the stream: it leaves the
/// table, frees its slot under the concurrency limit, and may complete a GOAWAY drain.
/// </summary>
public sealed partial class Http2Connection
{
    private readonly Queue<TaskCompletionSource> openWaiters = new();

    internal void ResetByApplication(Http2Stream stream, Http2ErrorCode code)
    {
        lock (sync)
        {
            ResetLocked(stream, code, sendRst: true, new Http2StreamException(code, $"stream {stream.Id} was reset locally ({code})"));
        }
    }

    private void MarkLocalEndedLocked(Http2Stream stream)
    {
        stream.LocalEnded = true;
        if (stream.RemoteEnded)
        {
            CloseStreamLocked(stream);
        }
    }

    private void MarkRemoteEndedLocked(Http2Stream stream)
    {
        stream.RemoteEnded = true;
        if (stream.LocalEnded)
        {
            CloseStreamLocked(stream);
        }
    }

    private void CloseStreamLocked(Http2Stream stream)
    {
        if (stream.Closed)
        {
            return;
        }

        stream.Closed = true;
        streams.Remove(stream.Id);
        if (IsPeerInitiated(stream.Id))
        {
            peerActive--;
        }
        else
        {
            localActive--;
            ReleaseOpenWaitersLocked();
        }

        CheckDrainedLocked();
    }

    /// <summary>Aborts a stream: fails its reader and writer, drops its unread data, and (unless the peer reset it) sends RST_STREAM.</summary>
    private void ResetLocked(Http2Stream stream, Http2ErrorCode code, bool sendRst, Exception failure)
    {
        if (stream.Aborted)
        {
            return;
        }

        stream.Aborted = true;
        stream.Failure ??= failure;
        if (sendRst && !stream.Closed && !terminating)
        {
            FrameWriter.WriteRstStream(pending, stream.Id, code);
            history.Reset(stream.Id);
            writerWake.Set();
        }

        FinishWriteLocked(stream, stream.Failure);
        stream.LocalEnded = true;
        stream.RemoteEnded = true;
        stream.FailResponse(failure);
        CancelAbortTokenLocked(stream);
        var dropped = stream.Received.Abort(failure);
        if (dropped > 0)
        {
            ReturnConnectionCreditLocked(dropped);
        }

        CloseStreamLocked(stream);
    }

    /// <summary>The token <see cref="Http2Stream.StreamAborted"/> handed out; null until someone asks.</summary>
    internal CancellationToken AbortTokenOf(Http2Stream stream)
    {
        lock (sync)
        {
            if (stream.Aborted)
            {
                return new CancellationToken(canceled: true);
            }

            stream.AbortSource ??= new CancellationTokenSource();
            return stream.AbortSource.Token;
        }
    }

    /// <summary>Cancels the stream's abort token on the pool: its callbacks are the application's, never run under our lock.</summary>
    private static void CancelAbortTokenLocked(Http2Stream stream)
    {
        if (stream.AbortSource is not { } source)
        {
            return;
        }

        stream.AbortSource = null;
        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            try
            {
                s.Cancel();
            }
            catch (AggregateException)
            {
                // A callback's own failure; the work it belonged to reports its end where it ends.
            }
        }, source, preferLocal: false);
    }

    /// <summary>Ends our sending side for good (later writes fail with <paramref name="reason"/>) and closes the stream.</summary>
    private void StopSendingLocked(Http2Stream stream, Exception reason)
    {
        stream.Failure = reason;
        FinishWriteLocked(stream, reason);
        stream.LocalEnded = true;
        CloseStreamLocked(stream);
    }

    private void StreamErrorLocked(Http2Stream stream, Http2ErrorCode code, string reason)
    {
        Http2Log.StreamError(log, role, stream.Id, code, reason);
        CountReplyLocked();
        StreamRejected?.Invoke(code);
        ResetLocked(stream, code, sendRst: true, new Http2StreamException(code, $"stream {stream.Id}: {reason}"));
    }

    /// <summary>Answers a stream we will not take with RST_STREAM; its late frames are then ignored.</summary>
    private void RefuseLocked(int streamId, Http2ErrorCode code, string reason)
    {
        Http2Log.StreamError(log, role, streamId, code, reason);
        CountReplyLocked();
        StreamRejected?.Invoke(code);
        FrameWriter.WriteRstStream(pending, streamId, code);
        history.Reset(streamId);
        writerWake.Set();
    }

    /// <summary>Wakes as many queued <see cref="OpenStreamAsync"/> calls as there are free slots.</summary>
    private void ReleaseOpenWaitersLocked()
    {
        var free = (long)peerMaxConcurrent - localActive;
        while (free > 0 && openWaiters.TryDequeue(out var waiter))
        {
            if (waiter.TrySetResult())
            {
                free--;
            }
        }
    }

    private void FailOpenWaitersLocked(Exception error)
    {
        while (openWaiters.TryDequeue(out var waiter))
        {
            waiter.TrySetException(error);
            _ = waiter.Task.Exception;
        }
    }

    /// <summary>After GOAWAY either way, the last stream to close ends the connection.</summary>
    private void CheckDrainedLocked()
    {
        if ((goAwaySent || goAwayReceived) && streams.Count == 0 && !terminating)
        {
            var done = new Http2ConnectionException(Http2ErrorCode.NoError, "the connection went away after its streams finished");
            Terminate(done, peerGoAwayError, goAwaySent ? null : Http2ErrorCode.NoError, lingerForPeer: true);
        }
    }
}
