using System.Net;

namespace Weft.Proxy;

/// <summary>The pod a proxy serves: who it is and where its network namespace is.</summary>
public sealed record PodInfo(string Uid, string NetnsPath, IReadOnlyList<IPAddress> Addresses)
{
    public override string ToString() => Uid;
}
