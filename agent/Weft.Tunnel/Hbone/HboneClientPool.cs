using Microsoft.Extensions.Logging;
using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// The outbound side of HBONE: CONNECT streams over pooled mutual-TLS HTTP/2 connections, one
/// pool per agent. Connections are shared by tunnels of the same <see cref="HbonePoolKey"/>, up to
/// <see cref="HboneOptions.MaxStreamsPerConnection"/> streams each; callers that find no room wait
/// for one shared handshake rather than each making their own. A connection leaves the pool when
/// it ends, or when it has carried no stream for <see cref="HboneOptions.PoolIdleTimeout"/> (GOAWAY).
/// </summary>
public sealed partial class HboneClientPool : IAsyncDisposable
{
    private const string Side = "client";

    private readonly HboneOptions options;
    private readonly HboneMetrics metrics;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Lock sync = new();
    private readonly Dictionary<HbonePoolKey, KeyEntry> entries = [];
    private readonly CancellationTokenSource lifetime = new();
    private readonly TimeSpan idleCheckPeriod;
    private long handshakeCount;
    private long nextConnectionId;

    // Guarded by sync.
    private int connectionCount;
    private bool disposed;

    public HboneClientPool(HboneOptions options, HboneMetrics metrics, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxStreamsPerConnection, 1, nameof(options));
        if (options.PoolIdleTimeout <= TimeSpan.Zero && options.PoolIdleTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "PoolIdleTimeout must be positive or infinite");
        }

        if (options.HandshakeTimeout <= TimeSpan.Zero && options.HandshakeTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "HandshakeTimeout must be positive or infinite");
        }

        if (options.OpenTimeout <= TimeSpan.Zero && options.OpenTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "OpenTimeout must be positive or infinite");
        }

        // Now rather than after a handshake, which would then be wasted.
        options.Http2.Validate();

        this.options = options;
        this.metrics = metrics;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;

        // A connection is closed between one and 1.25 idle timeouts after its last stream ended:
        // streams end without telling the pool, so it looks every quarter timeout.
        idleCheckPeriod = options.PoolIdleTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromTicks(Math.Max(options.PoolIdleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond));
    }

    /// <summary>Pooled connections, established and not yet ended or closed.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (sync)
            {
                return connectionCount;
            }
        }
    }

    /// <summary>TLS handshakes completed (successfully) so far.</summary>
    public long HandshakeCount => Interlocked.Read(ref handshakeCount);

    /// <summary>
    /// Opens a CONNECT stream to <c>destination.Target</c> through a pooled (or new) connection to
    /// <c>destination.TunnelAddress</c>; returns once the server answered 200. Throws
    /// <see cref="HboneException"/> when the connection or the stream failed, or the server refused;
    /// <see cref="ObjectDisposedException"/> once the pool is disposed.
    /// </summary>
    public async Task<HboneTunnel> OpenAsync(HboneDestination destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var key = HbonePoolKey.Of(destination).Frozen();
        var headers = HboneConnectRequest.Headers(destination);
        var newConnection = false;

        // A second attempt only when the server cannot have seen the stream: the connection went
        // away just before it was opened, or the server refused it unprocessed (REFUSED_STREAM).
        for (var attempt = 1; ; attempt++)
        {
            var (connection, waited) = await AcquireAsync(key, destination, cancellationToken).ConfigureAwait(false);
            newConnection |= waited;
            using var timeout = new CancellationTokenSource(options.OpenTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var token = linked.Token;
            Http2Stream stream;
            try
            {
                stream = await connection.Connection.OpenStreamAsync(headers, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw NoAnswer(key, destination, "no stream slot opened on the connection");
            }
            catch (Http2ConnectionException e) when (attempt == 1 && !IsDisposed)
            {
                LogRetrying(logger, connection.Id, key, e.Message);
                continue;
            }
            catch (Http2ConnectionException e)
            {
                ObjectDisposedException.ThrowIf(IsDisposed, this);
                throw StreamFailed(key, e);
            }
            finally
            {
                Release(connection);
            }

            IReadOnlyList<HeaderField> response;
            try
            {
                response = await stream.ResponseHeaders.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stream.Reset(Http2ErrorCode.Cancel);
                if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw NoAnswer(key, destination, "the server did not answer the CONNECT");
                }

                throw;
            }
            catch (Http2StreamException e) when (e.ErrorCode == Http2ErrorCode.RefusedStream && attempt == 1)
            {
                LogRetrying(logger, connection.Id, key, e.Message);
                continue;
            }
            catch (Http2Exception e)
            {
                stream.Reset(Http2ErrorCode.Cancel);
                ObjectDisposedException.ThrowIf(IsDisposed, this);
                throw StreamFailed(key, e);
            }

            var status = HboneConnectRequest.Status(response);
            if (status == 200)
            {
                return new HboneTunnel(stream, newConnection);
            }

            stream.Reset(Http2ErrorCode.Cancel);
            var failure = HboneConnectRequest.FailureFor(status);
            metrics.Refused(Side, failure.ToString());
            LogRefused(logger, status, failure, destination.Target, key);
            throw new HboneException(failure, $"the server at {key.TunnelAddress} answered {status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no :status"} for {destination.Target}")
            {
                Status = status,
            };
        }
    }

    private HboneException NoAnswer(HbonePoolKey key, HboneDestination destination, string what)
    {
        metrics.Refused(Side, nameof(HboneFailure.NoAnswer));
        LogStreamFailed(logger, key, what);
        return new HboneException(HboneFailure.NoAnswer, $"{what} for {destination.Target} within {options.OpenTimeout.TotalSeconds:0.###} s ({key.TunnelAddress})");
    }

    /// <summary>Closes every pooled connection (GOAWAY, then the transport) and fails the opens still waiting.</summary>
    public async ValueTask DisposeAsync()
    {
        List<HbonePooledConnection> connections = [];
        List<Task> handshakes = [];
        lock (sync)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            foreach (var entry in entries.Values)
            {
                connections.AddRange(entry.Connections);
                if (entry.Pending is { } pending)
                {
                    handshakes.Add(pending.Task);
                }
            }

            foreach (var connection in connections)
            {
                RemoveLocked(connection);
            }

            entries.Clear();
        }

        LogDisposing(logger, connections.Count, handshakes.Count);
        await lifetime.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(connections.Select(c => c.Connection.DisposeAsync().AsTask())).ConfigureAwait(false);
        await Task.WhenAll(handshakes).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lifetime.Dispose();
    }

    private bool IsDisposed
    {
        get
        {
            lock (sync)
            {
                return disposed;
            }
        }
    }

    /// <summary>
    /// A connection of <paramref name="key"/> with room for one more stream, reserved for the
    /// caller; <c>Waited</c> when that took waiting for a handshake (started here or by another).
    /// </summary>
    private async Task<(HbonePooledConnection Connection, bool Waited)> AcquireAsync(HbonePoolKey key, HboneDestination destination, CancellationToken cancellationToken)
    {
        var waited = false;
        while (true)
        {
            TaskCompletionSource<HbonePooledConnection>? started = null;
            Task<HbonePooledConnection> pending;
            lock (sync)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                if (!entries.TryGetValue(key, out var entry))
                {
                    entry = new KeyEntry();
                    entries.Add(key, entry);
                }

                foreach (var connection in entry.Connections)
                {
                    if (connection.TryReserve(options.MaxStreamsPerConnection))
                    {
                        return (connection, waited);
                    }
                }

                if (entry.Pending is null)
                {
                    started = new TaskCompletionSource<HbonePooledConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
                    entry.Pending = started;
                }

                pending = entry.Pending.Task;
            }

            if (started is not null)
            {
                // Not the caller's token: the handshake is shared, and ends only by its own deadline or disposal.
                _ = EstablishAsync(key, started, destination);
            }

            waited = true;
            try
            {
                // The new connection may be full by the time this caller looks again: then round again.
                await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (HboneException e)
            {
                // One exception per caller: the shared one would collect every waiter's stack.
                throw new HboneException(e.Failure, e.Message, e.InnerException);
            }
        }
    }

    private void Release(HbonePooledConnection connection)
    {
        lock (sync)
        {
            connection.Reserved--;
        }
    }

    private HboneException StreamFailed(HbonePoolKey key, Http2Exception e)
    {
        metrics.Refused(Side, nameof(HboneFailure.ProtocolError));
        LogStreamFailed(logger, key, e.Message);
        return new HboneException(HboneFailure.ProtocolError, $"the tunnel connection to {key.TunnelAddress} failed: {e.Message}", e);
    }

    /// <summary>The connections of one key and the handshake under way for it, if any.</summary>
    private sealed class KeyEntry
    {
        public List<HbonePooledConnection> Connections { get; } = [];

        public TaskCompletionSource<HbonePooledConnection>? Pending { get; set; }
    }
}
