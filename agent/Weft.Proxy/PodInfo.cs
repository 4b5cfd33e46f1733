using System.Net;
using Weft.Identity;
using Weft.Policy;

namespace Weft.Proxy;

/// <summary>
/// The pod a proxy serves: who it is (its SPIFFE identity, decided by the agent from the config,
/// never by the pod), where its network namespace is, and how authorization knows it.
/// </summary>
public sealed record PodInfo(string Uid, string NetnsPath, IReadOnlyList<IPAddress> Addresses, SpiffeId Identity, PolicyWorkload Policy)
{
    /// <summary>Whether <paramref name="address"/> (IPv4, IPv6 or IPv4-mapped) is one of the pod's.</summary>
    public bool Owns(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var a in Addresses)
        {
            if (a.Equals(plain))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Uid;
}
