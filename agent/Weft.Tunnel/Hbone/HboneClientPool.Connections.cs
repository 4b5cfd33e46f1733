using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>How pooled connections come (one shared handshake per key at a time) and go (ended, idle, disposed).</summary>
public sealed partial class HboneClientPool
{
    /// <summary>
    /// Makes a connection for <paramref name="key"/> and publishes the outcome to everyone waiting on
    /// <paramref name="published"/>: the pooled connection, or the failure. Either way the key no
    /// longer has a handshake pending, so the next open after a failure tries afresh.
    /// </summary>
    private async Task EstablishAsync(HbonePoolKey key, TaskCompletionSource<HbonePooledConnection> published, HboneDestination destination)
    {
        HbonePooledConnection? pooled = null;
        Task? running = null;
        Exception? failure = null;
        var startedAt = time.GetTimestamp();
        try
        {
            var ssl = await HboneClientHandshake.ConnectAsync(destination, options, time, lifetime.Token).ConfigureAwait(false);
            Interlocked.Increment(ref handshakeCount);
            metrics.Handshake(Side, "ok");
            pooled = new HbonePooledConnection(key, Http2Connection.Client(ssl, options.Http2, logger), Interlocked.Increment(ref nextConnectionId));
            running = pooled.Connection.RunAsync();

            // Pooled only once the server's SETTINGS are in: its stream limit decides how many
            // opens this connection may take (the first stream waits for them anyway).
            await AwaitServerSettingsAsync(pooled, key, startedAt).ConfigureAwait(false);
            var elapsedMs = time.GetElapsedTime(startedAt).TotalMilliseconds;
            LogConnected(logger, pooled.Id, key, elapsedMs);
        }
        catch (HboneException e) when (pooled is not null)
        {
            LogHandshakeFailed(logger, e.Failure, key, e.Message);
            failure = e;
            await pooled.Connection.DisposeAsync().ConfigureAwait(false);
            await running!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            pooled = null;
        }
        catch (HboneException e)
        {
            metrics.Handshake(Side, e.Failure.ToString());
            LogHandshakeFailed(logger, e.Failure, key, e.Message);
            failure = e;
        }
        catch (Exception e)
        {
            // Cancelled by disposal (the only token it has), or something nobody expected: waiters must not hang on it.
            failure = e is OperationCanceledException ? new ObjectDisposedException(nameof(HboneClientPool)) : e;
        }

        var added = false;
        lock (sync)
        {
            if (entries.TryGetValue(key, out var entry) && entry.Pending == published)
            {
                entry.Pending = null;
                if (pooled is not null && !disposed)
                {
                    entry.Connections.Add(pooled);
                    connectionCount++;
                    added = true;
                    if (idleCheckPeriod != Timeout.InfiniteTimeSpan)
                    {
                        pooled.IdleTimer = time.CreateTimer(s => CheckIdle((HbonePooledConnection)s!), pooled, idleCheckPeriod, idleCheckPeriod);
                    }
                }
                else if (entry.Connections.Count == 0)
                {
                    entries.Remove(key);
                }
            }
        }

        if (pooled is not null && !added)
        {
            await pooled.Connection.DisposeAsync().ConfigureAwait(false);
            await running!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            failure = new ObjectDisposedException(nameof(HboneClientPool));
        }

        if (added)
        {
            // Outside the lock: starting the connection writes to the transport.
            _ = RunConnectionAsync(pooled!, running!);
            published.TrySetResult(pooled!);
        }
        else
        {
            published.TrySetException(failure!);

            // Observed even when every waiter gave up (cancelled) before it failed.
            _ = published.Task.Exception;
        }
    }

    /// <summary>Waits for the server's first SETTINGS within what is left of the handshake timeout.</summary>
    private async Task AwaitServerSettingsAsync(HbonePooledConnection pooled, HbonePoolKey key, long startedAt)
    {
        var left = options.HandshakeTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromTicks(Math.Max(0, (options.HandshakeTimeout - time.GetElapsedTime(startedAt)).Ticks));
        try
        {
            await pooled.Connection.PeerSettingsReceived.WaitAsync(left, time, lifetime.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new HboneException(HboneFailure.ProtocolError, $"no HTTP/2 SETTINGS from {key.TunnelAddress} within the handshake timeout ({options.HandshakeTimeout.TotalSeconds:0.###} s)");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new HboneException(HboneFailure.ProtocolError, $"the connection to {key.TunnelAddress} ended before the server's SETTINGS: {e.Message}", e);
        }
    }

    /// <summary>Runs the connection until it ends; then it leaves the pool.</summary>
    private async Task RunConnectionAsync(HbonePooledConnection pooled, Task running)
    {
        string reason = "closed";
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            reason = e.Message;
        }
        finally
        {
            lock (sync)
            {
                RemoveLocked(pooled);
            }
        }

        LogConnectionEnded(logger, pooled.Id, pooled.Key, reason);
    }

    /// <summary>On the idle timer: closes the connection once it has carried no stream for the idle timeout.</summary>
    private void CheckIdle(HbonePooledConnection pooled)
    {
        lock (sync)
        {
            if (pooled.Removed)
            {
                return;
            }

            if (pooled.Streams > 0)
            {
                pooled.IdleSince = null;
                return;
            }

            var now = time.GetTimestamp();
            if (pooled.IdleSince is not { } since)
            {
                pooled.IdleSince = now;
                return;
            }

            if (time.GetElapsedTime(since, now) < options.PoolIdleTimeout)
            {
                return;
            }

            // Out of the pool first, under the lock: no open can pick it while it goes away.
            RemoveLocked(pooled);
        }

        LogIdleClosed(logger, pooled.Id, pooled.Key, options.PoolIdleTimeout);

        // No stream is open, so the GOAWAY drains at once and the connection ends.
        _ = pooled.Connection.GoAwayAsync(Http2ErrorCode.NoError);
    }

    private void RemoveLocked(HbonePooledConnection pooled)
    {
        if (pooled.Removed)
        {
            return;
        }

        pooled.Removed = true;
        pooled.IdleTimer?.Dispose();
        if (entries.TryGetValue(pooled.Key, out var entry) && entry.Connections.Remove(pooled))
        {
            connectionCount--;
            if (entry.Connections.Count == 0 && entry.Pending is null)
            {
                entries.Remove(pooled.Key);
            }
        }
    }
}
