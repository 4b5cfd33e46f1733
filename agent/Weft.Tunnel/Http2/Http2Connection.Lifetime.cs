using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Weft.Tunnel.Http2.Frames;

namespace Weft.Tunnel.Http2;

/// <summary>
/// How the connection ends, and keep-alive. Every end goes through <see cref="Terminate"/>,
/// once: it queues GOAWAY when there is a peer to tell, fails the streams still open, and
/// lets the write loop flush and stop. Then the write side of the transport is shut (FIN,
/// TLS close_notify), and reading stops after the peer closes or the linger time. A deadline
/// disposes the transport if a write is stuck on a peer that does not read.
/// </summary>
public sealed partial class Http2Connection
{
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CloseDeadline = TimeSpan.FromSeconds(3);

    private bool terminating;
    private bool lingerForPeer;
    private string? endReason;
    private Exception? runError;
    private Timer? closeTimer;
    private Timer? lingerTimer;
    private PeriodicTimer? keepAliveTimer;
    private long pingSentAt;
    private ulong pingPayload;
    private long settingsSentAt;
    private int transportClosed;

    /// <param name="streamsSee">What open streams and waiting callers fail with.</param>
    /// <param name="runError">What RunAsync throws; null for a clean end.</param>
    /// <param name="goAway">The GOAWAY code to send, or null to send none.</param>
    /// <param name="lingerForPeer">Read on after our last write until the peer closes (so it gets our GOAWAY), up to the linger time.</param>
    private void Terminate(Exception streamsSee, Exception? runError, Http2ErrorCode? goAway, bool lingerForPeer)
    {
        lock (sync)
        {
            if (terminating)
            {
                return;
            }

            if (goAway is { } code)
            {
                var debug = Encoding.ASCII.GetBytes(streamsSee.Message[..Math.Min(streamsSee.Message.Length, 200)]);
                FrameWriter.WriteGoAway(pending, lastPeerStreamId, code, debug);
            }

            // From here on nothing new is queued; the write loop flushes what is there and stops.
            Volatile.Write(ref terminating, true);
            this.lingerForPeer = lingerForPeer;
            this.runError = runError;
            endReason = streamsSee.Message;
            foreach (var stream in streams.Values)
            {
                stream.Failure = streamsSee;
                stream.Aborted = true;
                FinishWriteLocked(stream, streamsSee);
                stream.LocalEnded = stream.RemoteEnded = stream.Closed = true;
                stream.FailResponse(streamsSee);
                stream.Received.Abort(streamsSee);
                CancelAbortTokenLocked(stream);
            }

            streams.Clear();
            ready.Clear();
            FailOpenWaitersLocked(streamsSee);
            if (peerSettings.TrySetException(streamsSee))
            {
                _ = peerSettings.Task.Exception;
            }

            keepAliveTimer?.Dispose();
            closeTimer = new Timer(static s => ((Http2Connection)s!).ForceClose(), this, CloseDeadline, Timeout.InfiniteTimeSpan);
        }

        writerWake.Set();
    }

    private void OnProtocolError(Http2ConnectionException error)
    {
        Http2Log.ProtocolError(log, role, error.ErrorCode, error.Message);
        Terminate(error, error, error.ErrorCode, lingerForPeer: true);
    }

    private void OnEndOfInput()
    {
        Exception? streamsSee;
        lock (sync)
        {
            streamsSee = peerGoAwayError ?? new Http2ConnectionException(Http2ErrorCode.NoError, "the peer closed the connection");
        }

        Terminate(streamsSee, peerGoAwayError, goAway: null, lingerForPeer: false);
    }

    private void OnTransportFailed(Exception e)
    {
        if (Volatile.Read(ref terminating))
        {
            // Expected once we close the transport ourselves.
            return;
        }

        Http2Log.TransportFailed(log, role, e.Message);
        var failure = new Http2ConnectionException(Http2ErrorCode.NoError, $"the transport failed: {e.Message}", e);
        Terminate(failure, failure, goAway: null, lingerForPeer: false);
    }

    private void OnRunCancelled()
    {
        var cancelled = new OperationCanceledException("the connection's run was cancelled");
        Terminate(new Http2ConnectionException(Http2ErrorCode.NoError, "the connection was cancelled", cancelled), cancelled, Http2ErrorCode.NoError, lingerForPeer: false);
    }

    /// <summary>The write loop has stopped: stop reading now, or after the peer closed / the linger time.</summary>
    private void StopReadingAfterWriter()
    {
        bool linger;
        lock (sync)
        {
            linger = lingerForPeer;
        }

        if (linger)
        {
            lingerTimer = new Timer(static s => ((Http2Connection)s!).StopReading(), this, Linger, Timeout.InfiniteTimeSpan);
        }
        else
        {
            StopReading();
        }
    }

    /// <summary>Ends the read loop's wait. Runs on timer threads too, so it must never throw.</summary>
    private void StopReading()
    {
        try
        {
            reader?.CancelPendingRead();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // The read loop has finished already.
        }
    }

    private async Task ShutdownWritesAsync()
    {
        try
        {
            if (transport is SslStream ssl)
            {
                // close_notify; the TCP FIN follows when the transport is disposed.
                await ssl.ShutdownAsync().ConfigureAwait(false);
            }
            else if (transport is NetworkStream network)
            {
                network.Socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer is gone already: nothing left to tell it.
        }
    }

    /// <summary>The close deadline passed: unblock a stuck write or read. On a timer thread: never throws.</summary>
    private void ForceClose()
    {
        StopReading();
        if (Interlocked.Exchange(ref transportClosed, 1) == 0)
        {
            try
            {
                transport.Dispose();
            }
            catch (Exception e)
            {
                Http2Log.CloseFailed(log, role, e);
            }
        }
    }

    private async Task CloseTransportAsync()
    {
        if (closeTimer is not null)
        {
            await closeTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (lingerTimer is not null)
        {
            await lingerTimer.DisposeAsync().ConfigureAwait(false);
        }

        keepAliveTimer?.Dispose();
        if (Interlocked.Exchange(ref transportClosed, 1) == 0)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }

        lock (sync)
        {
            pending.Dispose();
            writing.Dispose();
            headerScratch.Dispose();
            headerBlock?.Dispose();
        }
    }

    private TimeSpan? KeepAlivePeriod()
    {
        var interval = options.PingInterval;
        var timeout = options.PingTimeout;
        if (interval == Timeout.InfiniteTimeSpan && timeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        var shortest = interval == Timeout.InfiniteTimeSpan ? timeout : timeout == Timeout.InfiniteTimeSpan ? interval : (interval < timeout ? interval : timeout);
        return TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 10, 1000));
    }

    /// <summary>
    /// Sends a PING after PingInterval without receiving anything; ends the connection when a PING or
    /// our SETTINGS goes unanswered for PingTimeout, or a write to the transport is stuck that long.
    /// </summary>
    private async Task KeepAliveLoopAsync()
    {
        var timer = keepAliveTimer;
        if (timer is null)
        {
            return;
        }

        var intervalMs = options.PingInterval == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)options.PingInterval.TotalMilliseconds;
        var timeoutMs = options.PingTimeout == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)options.PingTimeout.TotalMilliseconds;
        try
        {
            while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
            {
                string? unanswered = null;
                var now = Environment.TickCount64;
                lock (sync)
                {
                    if (terminating)
                    {
                        return;
                    }

                    if (pingSentAt != 0)
                    {
                        unanswered = now - pingSentAt >= timeoutMs ? "PING" : null;
                    }
                    else if (now - Volatile.Read(ref lastReceivedAt) >= intervalMs)
                    {
                        FrameWriter.WritePing(pending, ++pingPayload, ack: false);
                        pingSentAt = now;
                        writerWake.Set();
                    }

                    if (settingsSentAt != 0 && now - settingsSentAt >= timeoutMs)
                    {
                        unanswered ??= "SETTINGS";
                    }
                }

                if (unanswered is null && WriteStalled(now, timeoutMs))
                {
                    // A peer that sends but never reads keeps the PING above from going out at all.
                    Http2Log.WriteStalled(log, role, timeoutMs);
                    var stalled = new Http2ConnectionException(Http2ErrorCode.NoError, $"a write made no progress within {timeoutMs} ms");
                    Terminate(stalled, stalled, Http2ErrorCode.NoError, lingerForPeer: false);
                    return;
                }

                if (unanswered is not null)
                {
                    Http2Log.AckTimeout(log, role, unanswered, timeoutMs);
                    var code = unanswered == "SETTINGS" ? Http2ErrorCode.SettingsTimeout : Http2ErrorCode.NoError;
                    var timedOut = new Http2ConnectionException(code, $"no {unanswered} acknowledgement within {timeoutMs} ms");
                    Terminate(timedOut, timedOut, code, lingerForPeer: false);
                    return;
                }
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
