using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// One pooled client connection and the pool's bookkeeping of it. The mutable state is guarded
/// by the pool's lock. The streams it carries are the connection's ActiveStreams (only the pool
/// opens streams on it) plus <see cref="Reserved"/>: opens that chose it and have not opened yet.
/// </summary>
internal sealed class HbonePooledConnection(HbonePoolKey key, Http2Connection connection, long id)
{
    public HbonePoolKey Key { get; } = key;

    public Http2Connection Connection { get; } = connection;

    /// <summary>A number for logs, unique within the pool.</summary>
    public long Id { get; } = id;

    public int Reserved { get; set; }

    /// <summary>When the idle check first saw it without streams (a TimeProvider timestamp); null while in use.</summary>
    public long? IdleSince { get; set; }

    public ITimer? IdleTimer { get; set; }

    /// <summary>Out of the pool: idle-closed, ended, or the pool was disposed.</summary>
    public bool Removed { get; set; }

    public int Streams => Reserved + Connection.ActiveStreams;

    /// <summary>
    /// Claims a stream slot when the connection can take one more stream: below our own limit and
    /// the server's (a connection is pooled only once the server's SETTINGS told it), so opens
    /// beyond what the server allows go to another connection instead of queueing on this one.
    /// </summary>
    public bool TryReserve(int maxStreams)
    {
        if (Removed || !Connection.CanOpenStream || Streams >= Math.Min(maxStreams, Connection.PeerMaxConcurrentStreams))
        {
            return false;
        }

        Reserved++;
        IdleSince = null;
        return true;
    }
}
