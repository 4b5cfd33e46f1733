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

    /// <summary>The workload (its uid) that owns an address, for logs of inbound traffic.</summary>
    string? WorkloadAt(IPAddress address);

    /// <summary>A workload's name and namespace by uid, for metric labels; null when unknown.</summary>
    WorkloadName? Describe(string uid);
}
