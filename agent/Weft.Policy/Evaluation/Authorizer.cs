using Microsoft.Extensions.Logging;

namespace Weft.Policy;

/// <summary>
/// The policy set in force, swapped whole on a config change: new connections see the new set at once,
/// and <see cref="Update{T}"/> says which live connections to close.
/// </summary>
/// <remarks>
/// A connection evaluated just before a swap and registered just after would be missed by the
/// revocation scan; a caller that registers after evaluating should re-evaluate when
/// <see cref="Policies"/> is no longer the set it evaluated with.
/// </remarks>
public sealed partial class Authorizer
{
    private readonly ILogger logger;
    private PolicySet current;

    public Authorizer(PolicySet initial, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(logger);
        current = initial;
        this.logger = logger;
    }

    public PolicySet Policies => Volatile.Read(ref current);

    /// <summary>Authorizes a new connection against the set in force. Allocates nothing.</summary>
    public Decision Evaluate(in ConnectionFacts facts) => Policies.Evaluate(facts);

    /// <summary>Puts <paramref name="next"/> in force, then returns the live connections it no longer allows (to be closed by the caller).</summary>
    public IReadOnlyList<RevokedConnection<T>> Update<T>(PolicySet next, IEnumerable<(T Handle, ConnectionFacts Facts)> live)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(live);
        // A full fence, not a release write: the scan below must not read the live set before the new set is
        // visible, or a connection registering meanwhile (which re-reads Policies) and this scan could both miss it.
        Interlocked.Exchange(ref current, next);
        var revoked = next.Revoked(live);
        LogApplied(logger, next.Policies.Count, next.MtlsPolicies.Count, revoked.Count);
        foreach (var r in revoked)
        {
            LogRevoked(logger, r.Facts.Destination, (object?)r.Facts.Source ?? "plaintext", r.Facts.SourceAddress, r.Facts.DestinationPort, r.Decision);
        }

        return revoked;
    }
}
