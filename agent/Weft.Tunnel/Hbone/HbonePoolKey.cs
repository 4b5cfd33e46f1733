using System.Net;
using Weft.Identity;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// Which tunnels may share a pooled connection: the same source pod, presenting the same
/// identity, to the same server identity at the same tunnel listener. The certificate instance is
/// part of the key (compared by reference): once an identity's certificate is renewed, new tunnels
/// handshake with the new one and connections made with the old one drain and go idle.
/// </summary>
internal readonly record struct HbonePoolKey(string SourceKey, SpiffeId SourceIdentity, SpiffeId DestinationIdentity, IPEndPoint TunnelAddress, WorkloadCertificate SourceCertificate)
{
    public static HbonePoolKey Of(HboneDestination destination) =>
        new(destination.SourceKey, destination.SourceCertificate.Identity, destination.DestinationIdentity, destination.TunnelAddress, destination.SourceCertificate);

    /// <summary>A copy safe to keep as a dictionary key: IPEndPoint is mutable and the caller owns its instance.</summary>
    public HbonePoolKey Frozen() => this with { TunnelAddress = new IPEndPoint(TunnelAddress.Address, TunnelAddress.Port) };

    public override string ToString() => $"{SourceKey} {SourceIdentity} -> {DestinationIdentity} at {TunnelAddress}";
}
