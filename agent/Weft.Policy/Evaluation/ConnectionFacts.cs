using System.Net;

namespace Weft.Policy;

/// <summary>What authorization knows about one inbound connection.</summary>
/// <param name="Destination">The workload the connection is for.</param>
/// <param name="Source">The peer's verified mesh identity; null for plaintext (no identity).</param>
/// <param name="SourceAddress">The peer's address, as the proxy saw it.</param>
/// <param name="DestinationPort">The port the client connected to.</param>
public readonly record struct ConnectionFacts(PolicyWorkload Destination, PeerIdentity? Source, IPAddress SourceAddress, int DestinationPort)
{
    public bool IsMutualTls => Source is not null;
}
