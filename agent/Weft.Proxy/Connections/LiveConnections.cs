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

        // The caller re-reads the policy set next; the insert must be visible before that read (the other half of
        // Authorizer.Update's fence), or a concurrent update could miss this connection while it sees the old set.
        Interlocked.MemoryBarrier();
        return connection;
    }

    /// <summary>
    /// What a policy update judges: every live connection with its facts. Lazy on purpose: the
    /// update enumerates it after putting the new set in force, so a connection registered before
    /// the swap is in it, and one registered after re-checks against the new set itself.
    /// </summary>
    public IEnumerable<(LiveConnection Handle, ConnectionFacts Facts)> All() =>
        live.Values.Select(c => (c, c.Facts));

    internal void Remove(long id) => live.TryRemove(id, out _);
}
