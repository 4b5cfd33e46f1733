using System.Net;
using Weft.Identity;

namespace Weft.Tunnel.Hbone;

/// <summary>What one pod's tunnel listener needs to know about the pod.</summary>
public sealed record HboneInboundSettings
{
    /// <summary>The pod's current certificate (looked up per handshake, so a rotated one is used at once).</summary>
    public required Func<CancellationToken, ValueTask<WorkloadCertificate>> Certificate { get; init; }

    /// <summary>Client certificates must carry a SPIFFE ID of this trust domain.</summary>
    public required string TrustDomain { get; init; }

    /// <summary>Whether an authority's address belongs to this pod (else 400).</summary>
    public required Func<IPAddress, bool> IsLocalAddress { get; init; }

    /// <summary>
    /// Handles a checked CONNECT: decides (policy, reaching the application), answers, relays. When it
    /// returns, whatever is left of the stream is reset. Its token is cancelled when the peer resets
    /// the stream or the connection ends.
    /// </summary>
    public required Func<HboneRequest, CancellationToken, Task> Handler { get; init; }

    /// <summary>Handshakes in progress at once, shared by the node's tunnel listeners; null: unbounded.</summary>
    public HandshakeLimit? Handshakes { get; init; }
}
