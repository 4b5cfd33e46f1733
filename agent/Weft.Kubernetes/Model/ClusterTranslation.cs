using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using Weft.Kubernetes.Api;
using Weft.Kubernetes.Watch;
using Weft.Workloads;

namespace Weft.Kubernetes.Model;

/// <summary>
/// Turns what the API server says into the agent's model: namespaces with their labels, pods as
/// workloads (this node's with their network namespaces), and services whose endpoints are the
/// ready pods their EndpointSlices list. Pure: the same inputs give the same config, and objects the
/// model cannot hold (an address claimed twice, a pod without an address) are left out and reported,
/// never allowed to fail the whole cluster.
/// </summary>
public static class ClusterTranslation
{
    /// <summary>The label that ties an EndpointSlice to its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <param name="settings">The settings file's config (node, trust domain, identity, telemetry, policies).</param>
    /// <param name="cluster">The watched objects.</param>
    /// <param name="netnsOf">This node's pods' network namespace paths, by pod uid; null while unknown.</param>
    /// <param name="skipped">What was left out and why, one sentence each.</param>
    public static LocalConfig Translate(LocalConfig settings, ClusterSnapshot cluster, Func<Pod, string?> netnsOf, ICollection<string> skipped)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(netnsOf);
        ArgumentNullException.ThrowIfNull(skipped);

        var claimed = new Dictionary<IPAddress, string>();
        var workloads = Workloads(settings.Node, cluster, netnsOf, claimed, skipped);
        var byUid = workloads.ToDictionary(w => w.Uid, StringComparer.Ordinal);
        var byAddress = new Dictionary<IPAddress, Workload>();
        foreach (var w in workloads)
        {
            foreach (var a in w.Addresses)
            {
                byAddress[a] = w;
            }
        }

        var slices = cluster.EndpointSlices.Values
            .Select(s => (Slice: s, Service: s.Metadata.Labels?.GetValueOrDefault(ServiceNameLabel)))
            .Where(s => s.Service is not null)
            .ToLookup(s => $"{s.Slice.Metadata.Namespace}/{s.Service}", s => s.Slice, StringComparer.Ordinal);

        var services = new List<Weft.Workloads.Service>();
        foreach (var (key, service) in cluster.Services.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (ServiceOf(service, slices[key], byUid, byAddress, claimed, skipped) is { } translated)
            {
                services.Add(translated);
            }
        }

        return settings with
        {
            Namespaces = [.. cluster.Namespaces.Values.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).Select(n => new NamespaceInfo
            {
                Name = n.Metadata.Name,
                Labels = Labels(n.Metadata.Labels),
            })],
            Workloads = workloads,
            Services = services,
        };
    }

    /// <summary>
    /// Running pods with addresses, hostNetwork ones excepted (they have the node's address and are never
    /// enrolled). When two pods claim an address (a finished pod whose address was reused), the newer wins.
    /// </summary>
    private static List<Workload> Workloads(string node, ClusterSnapshot cluster, Func<Pod, string?> netnsOf, Dictionary<IPAddress, string> claimed, ICollection<string> skipped)
    {
        var workloads = new List<Workload>();
        var newestFirst = cluster.Pods.Values
            .OrderByDescending(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(p => p.Metadata.Uid, StringComparer.Ordinal);
        foreach (var pod in newestFirst)
        {
            var meta = pod.Metadata;
            if (pod.Spec?.HostNetwork == true || string.IsNullOrEmpty(meta.Uid) || string.IsNullOrEmpty(pod.Spec?.NodeName)
                || pod.Status?.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            var addresses = PodAddresses(pod);
            if (addresses.Count == 0)
            {
                continue; // not started yet: no address to route or enrol
            }

            var name = $"{meta.Namespace}/{meta.Name}";
            if (addresses.FirstOrDefault(claimed.ContainsKey) is { } taken)
            {
                skipped.Add($"pod {name}: address {taken} is also pod {claimed[taken]}'s (the newer pod keeps it)");
                continue;
            }

            foreach (var a in addresses)
            {
                claimed[a] = name;
            }

            var local = pod.Spec.NodeName == node;
            workloads.Add(new Workload
            {
                Uid = meta.Uid,
                Name = meta.Name,
                Controller = Controller(meta),
                Namespace = meta.Namespace,
                ServiceAccount = string.IsNullOrEmpty(pod.Spec.ServiceAccountName) ? Workload.DefaultServiceAccount : pod.Spec.ServiceAccountName,
                Labels = Labels(meta.Labels),
                Addresses = addresses,
                Node = pod.Spec.NodeName,
                Netns = local ? netnsOf(pod) : null,
            });
        }

        // Stable order, whatever order the watch delivered: equal clusters give equal configs.
        workloads.Sort((a, b) => string.CompareOrdinal(a.Uid, b.Uid));
        return workloads;
    }

    private static string? Controller(ObjectMeta meta) =>
        meta.OwnerReferences?.FirstOrDefault(o => o.Controller == true) is { } owner
            ? WorkloadNames.FromOwner(owner.Kind, owner.Name, meta.Labels)
            : null;

    private static List<IPAddress> PodAddresses(Pod pod)
    {
        var addresses = new List<IPAddress>();
        var listed = pod.Status?.PodIPs?.Select(p => p.Ip) ?? [];
        foreach (var text in listed.Append(pod.Status?.PodIP))
        {
            if (IPAddress.TryParse(text, out var address) && !addresses.Contains(address))
            {
                addresses.Add(address);
            }
        }

        return addresses;
    }

    /// <summary>
    /// A service with cluster addresses and TCP ports; headless and ExternalName services have no
    /// address of their own (clients reach the pods, or a name, directly) and are not services here.
    /// </summary>
    private static Weft.Workloads.Service? ServiceOf(Api.Service service, IEnumerable<EndpointSlice> slices, Dictionary<string, Workload> byUid,
        Dictionary<IPAddress, Workload> byAddress, Dictionary<IPAddress, string> claimed, ICollection<string> skipped)
    {
        var meta = service.Metadata;
        var name = $"{meta.Namespace}/{meta.Name}";
        if (service.Spec is not { } spec || spec.Type == "ExternalName")
        {
            return null;
        }

        var addresses = (spec.ClusterIPs ?? [])
            .Append(spec.ClusterIP)
            .Select(a => IPAddress.TryParse(a, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .Distinct()
            .ToList();
        var ports = (spec.Ports ?? []).Where(p => IsTcp(p.Protocol)).ToList();
        if (addresses.Count == 0 || ports.Count == 0)
        {
            return null;
        }

        if (addresses.FirstOrDefault(claimed.ContainsKey) is { } taken)
        {
            skipped.Add($"service {name}: address {taken} is also {claimed[taken]}'s");
            return null;
        }

        foreach (var a in addresses)
        {
            claimed[a] = $"service {name}";
        }

        return new Weft.Workloads.Service
        {
            Name = meta.Name,
            Namespace = meta.Namespace,
            Addresses = addresses,
            // The target side is per endpoint (a named targetPort resolves per pod); a number here only where the spec gives one.
            Ports = ports.ToFrozenDictionary(p => p.Port, p => TargetPortNumber(p) ?? p.Port),
            Selector = Labels(spec.Selector),
            Endpoints = Endpoints(name, ports, slices, byUid, byAddress, skipped),
        };
    }

    /// <summary>
    /// Ready endpoints (ready unset counts as ready, as the API defines it) that are pods the model knows,
    /// each with the port its slice lists under the service port's name.
    /// </summary>
    private static List<ServiceEndpoint> Endpoints(string service, List<ServicePort> ports, IEnumerable<EndpointSlice> slices,
        Dictionary<string, Workload> byUid, Dictionary<IPAddress, Workload> byAddress, ICollection<string> skipped)
    {
        var endpoints = new List<ServiceEndpoint>();
        var unknown = 0;
        foreach (var slice in slices.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal))
        {
            if (slice.AddressType is not ("IPv4" or "IPv6"))
            {
                continue; // FQDN endpoints name hosts outside the cluster's pods
            }

            var portMap = new Dictionary<int, int>();
            foreach (var servicePort in ports)
            {
                var listed = slice.Ports?.FirstOrDefault(p => IsTcp(p.Protocol) && (p.Name ?? "") == (servicePort.Name ?? "") && p.Port is not null);
                if (listed is not null)
                {
                    portMap[servicePort.Port] = listed.Port!.Value;
                }
            }

            if (portMap.Count == 0)
            {
                continue;
            }

            var frozen = portMap.ToFrozenDictionary();
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (endpoint.Conditions?.Ready == false)
                {
                    continue;
                }

                foreach (var text in endpoint.Addresses ?? [])
                {
                    if (!IPAddress.TryParse(text, out var address))
                    {
                        continue;
                    }

                    // An endpoint naming a pod is that pod or none: its address may already be another pod's
                    // (a finished pod's, reused while the slice lags). Only endpoints naming no pod go by address.
                    var workload = endpoint.TargetRef is { Kind: "Pod", Uid: { } uid } ? byUid.GetValueOrDefault(uid)
                        : byAddress.GetValueOrDefault(address);
                    if (workload is null)
                    {
                        unknown++;
                        continue;
                    }

                    endpoints.Add(new ServiceEndpoint(workload, address, frozen));
                }
            }
        }

        if (unknown > 0)
        {
            skipped.Add($"service {service}: {unknown.ToString(CultureInfo.InvariantCulture)} endpoint address(es) are not pods the agent knows (a selector-less service's manual endpoints, or a pod not yet seen); they are not load-balanced to");
        }

        return endpoints;
    }

    private static int? TargetPortNumber(ServicePort port) =>
        port.TargetPort?.Number is { } n && n is > 0 and <= 65535 ? n : null;

    private static bool IsTcp(string? protocol) => protocol is null or "TCP";

    private static FrozenDictionary<string, string> Labels(IDictionary<string, string>? labels) =>
        labels is null ? FrozenDictionary<string, string>.Empty : labels.ToFrozenDictionary(StringComparer.Ordinal);
}
