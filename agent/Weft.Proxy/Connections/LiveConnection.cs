using Weft.Policy;

namespace Weft.Proxy.Connections;

/// <summary>One authorized, live inbound connection: the relay runs on <see cref="Token"/>, which revocation cancels.</summary>
public sealed class LiveConnection : IDisposable
{
    private readonly LiveConnections owner;
    private readonly long id;
    private readonly CancellationTokenSource cts;
    private string? revokedBy;

    internal LiveConnection(LiveConnections owner, long id, ConnectionFacts facts, CancellationToken abort)
    {
        this.owner = owner;
        this.id = id;
        Facts = facts;
        cts = CancellationTokenSource.CreateLinkedTokenSource(abort);
    }

    public ConnectionFacts Facts { get; }

    public CancellationToken Token => cts.Token;

    /// <summary>Why a policy change closed it, or null.</summary>
    public string? RevokedBy => Volatile.Read(ref revokedBy);

    /// <summary>Closes the connection (the relay resets both sides) because policy no longer allows it.</summary>
    public void Revoke(string reason)
    {
        if (Interlocked.CompareExchange(ref revokedBy, reason, null) is null)
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It ended on its own meanwhile.
            }
        }
    }

    public void Dispose()
    {
        owner.Remove(id);
        cts.Dispose();
    }
}
