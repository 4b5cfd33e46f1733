using System.Net;

namespace Weft.Proxy.Routing;

/// <summary>
/// The upstream to connect to, and what it is. <see cref="Refusal"/> is set (and Upstream null)
/// when the destination is a known service without endpoints or otherwise cannot be served.
/// <see cref="Mesh"/> is set when the upstream is a mesh workload: the connection then goes
/// through an HBONE tunnel to it, never in plaintext.
/// </summary>
public readonly record struct Route(IPEndPoint? Upstream, string DestinationWorkload, string DestinationService, string? Refusal, MeshDestination? Mesh = null)
{
    public static Route Passthrough(IPEndPoint destination) => new(destination, "-", "-", null);
}
