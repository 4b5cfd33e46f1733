using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using Weft.Agent.Identity;
using Weft.Proxy.Routing;
using Weft.Tunnel.Hbone;
using Weft.Workloads;

namespace Weft.Agent.Enrolment;

/// <summary>Routes captured connections with the services and workloads of one config version.</summary>
public sealed class ConfigRouteTable : IRouteTable
{
    private readonly ServiceRegistry registry;
    private readonly FrozenDictionary<string, MeshDestination> mesh;
    private readonly FrozenDictionary<string, WorkloadName> names;

    public ConfigRouteTable(LocalConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        registry = new ServiceRegistry(config);

        // Precomputed so routing a connection to a mesh workload allocates nothing for it.
        mesh = config.Workloads
            .Where(w => MeshMembership.InMesh(config, w))
            .ToFrozenDictionary(w => w.Uid, w => new MeshDestination(WorkloadIdentities.IdentityOf(config, w), new IPEndPoint(TunnelAddress(w), HboneOptions.Port)), StringComparer.Ordinal);
        names = config.Workloads.ToFrozenDictionary(
            w => w.Uid,
            w => new WorkloadName(w.Name, w.Namespace)
            {
                Workload = WorkloadNames.Workload(w),
                CanonicalService = WorkloadNames.CanonicalService(w),
                CanonicalRevision = WorkloadNames.CanonicalRevision(w),
            },
            StringComparer.Ordinal);
    }

    public Route Resolve(IPEndPoint originalDestination)
    {
        if (registry.TryResolve(originalDestination, out var r))
        {
            var destination = r.Workload is { } w && mesh.TryGetValue(w.Uid, out var m) ? m : null;
            return new Route(r.Endpoint, r.Workload?.Uid ?? "-", r.Service?.ToString() ?? "-", null, destination);
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

    public WorkloadName? Describe(string uid) => names.GetValueOrDefault(uid);

    // Tunnel listeners are steered for IPv4 pod addresses; an IPv6 destination travels inside an IPv4 tunnel when the pod has one.
    private static IPAddress TunnelAddress(Workload w) =>
        w.Addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? w.Addresses[0];
}
