using System.Net;
using Weft.Proxy.Routing;
using Weft.Workloads;

namespace Weft.Agent.Enrolment;

/// <summary>Routes captured connections with the services and workloads of one config version.</summary>
public sealed class ConfigRouteTable(LocalConfig config) : IRouteTable
{
    private readonly ServiceRegistry registry = new(config);

    public Route Resolve(IPEndPoint originalDestination)
    {
        if (registry.TryResolve(originalDestination, out var r))
        {
            return new Route(r.Endpoint, r.Workload?.Uid ?? "-", r.Service?.ToString() ?? "-", null);
        }

        return r.Outcome switch
        {
            ResolveOutcome.NoEndpoints => new Route(null, "-", r.Service!.ToString(), $"service {r.Service} has no endpoints"),
            ResolveOutcome.UnknownServicePort => new Route(null, "-", r.Service!.ToString(), $"service {r.Service} has no port {originalDestination.Port}"),

            // Not a known service or workload: outside the mesh, go there directly.
            _ => Route.Passthrough(originalDestination),
        };
    }

    public string? WorkloadAt(IPAddress address) => registry.FindWorkloadByAddress(address)?.Uid;
}
