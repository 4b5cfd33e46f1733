using System.Net;
using System.Net.Sockets;
using Weft.Identity;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// Where an outbound tunnel goes and on whose behalf. Pooled connections are keyed by
/// (<see cref="SourceKey"/>, source identity, <see cref="DestinationIdentity"/>, <see cref="TunnelAddress"/>):
/// the source key separates pods that share a service account, because each pod's connections
/// leave from its own network namespace and address.
/// </summary>
public sealed record HboneDestination
{
    /// <summary>The source pod (its uid): connections are made from its namespace and never shared with another pod.</summary>
    public required string SourceKey { get; init; }

    /// <summary>The source workload's certificate, presented as the TLS client certificate.</summary>
    public required WorkloadCertificate SourceCertificate { get; init; }

    /// <summary>The identity the server must prove (its URI SAN); anything else fails the handshake.</summary>
    public required SpiffeId DestinationIdentity { get; init; }

    /// <summary>The destination pod's tunnel listener: its address and port 15008.</summary>
    public required IPEndPoint TunnelAddress { get; init; }

    /// <summary>The :authority of the CONNECT: the destination pod's address and the application's port.</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>The original source, sent as <c>forwarded: for=...</c>.</summary>
    public IPEndPoint? Source { get; init; }

    /// <summary>Sent as the <c>traceparent</c> header when set.</summary>
    public string? TraceParent { get; init; }

    /// <summary>Makes the TCP connection to <see cref="TunnelAddress"/> (from the source pod's namespace); the pool adds TLS.</summary>
    public required Func<IPEndPoint, CancellationToken, ValueTask<Socket>> Dial { get; init; }
}
