using System.Collections.Frozen;
using System.Net;

namespace Weft.Workloads;

/// <summary>A Kubernetes-style service: virtual addresses and ports in front of the workloads its selector matches.</summary>
public sealed record Service
{
    public required string Name { get; init; }

    public required string Namespace { get; init; }

    /// <summary>Virtual (cluster) addresses, IPv4 and/or IPv6, never empty.</summary>
    public required IReadOnlyList<IPAddress> Addresses { get; init; }

    /// <summary>Service port to target port on the endpoint, never empty.</summary>
    public required IReadOnlyDictionary<int, int> Ports { get; init; }

    /// <summary>Endpoints are the workloads of the same namespace carrying all these labels; empty selects none.</summary>
    public IReadOnlyDictionary<string, string> Selector { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>
    /// The endpoints as listed (Kubernetes EndpointSlices: ready pods only, ports resolved per pod);
    /// null to select them with <see cref="Selector"/> and <see cref="Ports"/>, as the config file does.
    /// </summary>
    public IReadOnlyList<ServiceEndpoint>? Endpoints { get; init; }

    /// <summary>Whether the workload is an endpoint: same namespace and every selector label equal.</summary>
    public bool Selects(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (Selector.Count == 0 || workload.Namespace != Namespace)
        {
            return false;
        }

        foreach (var (key, value) in Selector)
        {
            if (!workload.Labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>namespace/name, the form logs use.</summary>
    public override string ToString() => $"{Namespace}/{Name}";
}
