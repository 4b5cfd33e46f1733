using System.Net;

namespace Weft.Proxy.Routing;

/// <summary>
/// Where a captured connection goes: the proxy asks, the workload model answers. Kept as an
/// interface so the data path does not depend on where workloads come from (local file now,
/// Kubernetes later).
/// </summary>
public interface IRouteTable
{
    /// <summary>Routes an original destination; false when it cannot be served (see <see cref="Route.Refusal"/>).</summary>
    Route Resolve(IPEndPoint originalDestination);

    /// <summary>The workload (namespace/name) that owns an address, for logs of inbound traffic.</summary>
    string? WorkloadAt(IPAddress address);
}

/// <summary>
/// The upstream to connect to, and what it is. <see cref="Refusal"/> is set (and Upstream null)
/// when the destination is a known service without endpoints or otherwise cannot be served.
/// </summary>
public readonly record struct Route(IPEndPoint? Upstream, string DestinationWorkload, string DestinationService, string? Refusal)
{
    public static Route Passthrough(IPEndPoint destination) => new(destination, "-", "-", null);
}
