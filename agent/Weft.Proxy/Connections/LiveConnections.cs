using System.Collections.Concurrent;
using Weft.Policy;

namespace Weft.Proxy.Connections;

/// <summary>
/// The authorized inbound connections of the node, with the facts they were authorized on, so
/// that a policy change can find (and close) the ones it no longer allows.
/// </summary>
public sealed class LiveConnections
{
    private readonly ConcurrentDictionary<long, LiveConnection> live = new();
    private long next;

    public int Count => live.Count;

    /// <summary>Registers a connection; dispose the handle when it ends. Its token fires when it is revoked or <paramref name="abort"/> fires.</summary>
    public LiveConnection Register(in ConnectionFacts facts, CancellationToken abort)
    {
        var id = Interlocked.Increment(ref next);
        var connection = new LiveConnection(this, id, facts, abort);
        live[id] = connection;
        return connection;
    }

    /// <summary>What a policy update judges: every live connection with its facts.</summary>
    public IEnumerable<(LiveConnection Handle, ConnectionFacts Facts)> Snapshot() =>
        live.Values.Select(c => (c, c.Facts)).ToArray();

    internal void Remove(long id) => live.TryRemove(id, out _);
}
