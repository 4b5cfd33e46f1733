using System.Net;
using Weft.Identity;

namespace Weft.Proxy.Routing;

/// <summary>A destination in the mesh: the identity it must prove and where its tunnel listener is (pod address, port 15008).</summary>
public sealed record MeshDestination(SpiffeId Identity, IPEndPoint Tunnel);
