using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;

namespace Weft.Workloads;

/// <summary>
/// Answers, per connection, where an original destination goes. Everything is precomputed from
/// one <see cref="LocalConfig"/> into frozen dictionaries, so a look-up is two hash probes and no
/// allocation; build a new registry when the config changes. Thread-safe.
/// </summary>
public sealed class ServiceRegistry
{
    private readonly FrozenDictionary<IPAddress, Destination> byAddress;

    /// <exception cref="ArgumentException">Two workloads or services share an address (the loader rejects such configs).</exception>
    public ServiceRegistry(LocalConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        var map = new Dictionary<IPAddress, Destination>();
        foreach (var workload in config.Workloads)
        {
            var destination = new Destination(workload, null, null);
            foreach (var address in workload.Addresses)
            {
                Add(map, address, destination);
            }
        }

        foreach (var service in config.Services)
        {
            var endpoints = service.Endpoints ?? Selected(config, service);
            foreach (var address in service.Addresses)
            {
                var family = address.IsIPv4MappedToIPv6 ? AddressFamily.InterNetwork : address.AddressFamily;
                var rings = service.Ports.ToFrozenDictionary(p => p.Key, p => Ring(endpoints, family, p.Key));
                Add(map, address, new Destination(null, service, rings));
            }
        }

        byAddress = map.ToFrozenDictionary();
    }

    public LocalConfig Config { get; }

    /// <summary>
    /// Resolves a captured connection's original destination. True when <paramref name="resolved"/>
    /// carries an endpoint to connect to; false for an unknown address (pass through) and for a service
    /// that cannot serve it (<see cref="ResolveOutcome.NoEndpoints"/>, <see cref="ResolveOutcome.UnknownServicePort"/>: refuse).
    /// </summary>
    public bool TryResolve(IPEndPoint originalDestination, out Resolved resolved)
    {
        ArgumentNullException.ThrowIfNull(originalDestination);
        if (!byAddress.TryGetValue(originalDestination.Address, out var destination))
        {
            resolved = default;
            return false;
        }

        if (destination.Workload is { } workload)
        {
            resolved = new(ResolveOutcome.Workload, originalDestination, workload, null);
            return true;
        }

        var service = destination.Service!;
        if (!destination.Ports!.TryGetValue(originalDestination.Port, out var ring))
        {
            resolved = new(ResolveOutcome.UnknownServicePort, null, null, service);
            return false;
        }

        if (ring.IsEmpty)
        {
            resolved = new(ResolveOutcome.NoEndpoints, null, null, service);
            return false;
        }

        var (endpoint, endpointWorkload) = ring.Pick();
        resolved = new(ResolveOutcome.ServiceEndpoint, endpoint, endpointWorkload, service);
        return true;
    }

    /// <summary>The workload owning the address, or null.</summary>
    public Workload? FindWorkloadByAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return byAddress.TryGetValue(address, out var destination) ? destination.Workload : null;
    }

    private static void Add(Dictionary<IPAddress, Destination> map, IPAddress address, Destination destination)
    {
        // Sockets of dual-stack applications report IPv4 peers as ::ffff:a.b.c.d; index that form
        // too, so the hot path needs no conversion (which would allocate).
        Claim(map, address, destination);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Claim(map, address.MapToIPv6(), destination);
        }
    }

    private static void Claim(Dictionary<IPAddress, Destination> map, IPAddress address, Destination destination)
    {
        if (!map.TryAdd(address, destination) && !ReferenceEquals(map[address], destination))
        {
            throw new ArgumentException($"address {address} belongs to both {map[address]} and {destination}");
        }
    }

    /// <summary>The selected workloads, one endpoint per address (the ring picks the family).</summary>
    private static ServiceEndpoint[] Selected(LocalConfig config, Service service) =>
        config.Workloads
            .Where(w => w.Addresses.Count > 0 && service.Selects(w))
            .SelectMany(w => w.Addresses.Select(a => new ServiceEndpoint(w, a, service.Ports)))
            .ToArray();

    /// <summary>
    /// The pods serving <paramref name="servicePort"/>, each once: at its address of the destination's
    /// family if it has one, else at its first (the proxy connects across families).
    /// </summary>
    private static EndpointRing Ring(IReadOnlyList<ServiceEndpoint> endpoints, AddressFamily family, int servicePort)
    {
        var chosen = endpoints
            .Where(e => e.Ports.ContainsKey(servicePort))
            .GroupBy(e => e.Workload.Uid, StringComparer.Ordinal)
            .Select(pod => pod.FirstOrDefault(e => e.Address.AddressFamily == family) ?? pod.First())
            .ToArray();
        return new EndpointRing(
            [.. chosen.Select(e => new IPEndPoint(e.Address, e.Ports[servicePort]))],
            [.. chosen.Select(e => e.Workload)]);
    }

    private sealed record Destination(Workload? Workload, Service? Service, FrozenDictionary<int, EndpointRing>? Ports)
    {
        public override string ToString() => Workload is not null ? $"workload {Workload}" : $"service {Service}";
    }
}
