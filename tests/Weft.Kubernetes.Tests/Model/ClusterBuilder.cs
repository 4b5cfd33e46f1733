using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;
using Weft.Kubernetes.Api;
using Weft.Kubernetes.Model;
using Weft.Kubernetes.Watch;
using Weft.Workloads;

namespace Weft.Kubernetes.Tests.Model;

/// <summary>
/// Builds API objects the way the API server returns them and a snapshot of them. Objects are returned
/// for the test to adjust; pods get uid "uid-NAME" and creation times one second apart in creation order.
/// </summary>
internal sealed class ClusterBuilder
{
    public const string Node = "node-a";

    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly List<V1Namespace> namespaces = [];
    private readonly List<V1Pod> pods = [];
    private readonly List<V1Service> services = [];
    private readonly List<V1EndpointSlice> slices = [];

    public static LocalConfig Settings { get; } = new() { Node = Node };

    public V1Namespace Namespace(string name, params (string Key, string Value)[] labels)
    {
        var ns = new V1Namespace { Metadata = new() { Name = name, Labels = labels.Length == 0 ? null : labels.ToDictionary(l => l.Key, l => l.Value) } };
        namespaces.Add(ns);
        return ns;
    }

    public V1Pod Pod(string ns, string name, params string[] ips)
    {
        var pod = new V1Pod
        {
            Metadata = new()
            {
                Name = name,
                NamespaceProperty = ns,
                Uid = $"uid-{name}",
                CreationTimestamp = Epoch.AddSeconds(pods.Count),
                Labels = new Dictionary<string, string> { ["app"] = name },
            },
            Spec = new() { NodeName = Node, Containers = [new V1Container { Name = "app", Image = "app:1" }] },
            Status = new()
            {
                Phase = "Running",
                PodIP = ips.FirstOrDefault(),
                PodIPs = ips.Length == 0 ? null : [.. ips.Select(ip => new V1PodIP { Ip = ip })],
            },
        };
        pods.Add(pod);
        return pod;
    }

    public V1Service Service(string ns, string name, string clusterIp, params V1ServicePort[] ports)
    {
        var service = new V1Service
        {
            Metadata = new() { Name = name, NamespaceProperty = ns, Uid = $"uid-svc-{name}" },
            Spec = new()
            {
                Type = "ClusterIP",
                ClusterIP = clusterIp,
                ClusterIPs = [clusterIp],
                Ports = ports,
                Selector = new Dictionary<string, string> { ["app"] = name },
            },
        };
        services.Add(service);
        return service;
    }

    public V1EndpointSlice Slice(string ns, string name, string service, Discoveryv1EndpointPort[] ports, params V1Endpoint[] endpoints)
    {
        var slice = new V1EndpointSlice
        {
            Metadata = new() { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { [ClusterTranslation.ServiceNameLabel] = service } },
            AddressType = "IPv4",
            Ports = ports,
            Endpoints = endpoints,
        };
        slices.Add(slice);
        return slice;
    }

    public static V1ServicePort Port(int port, k8s.Models.IntOrString? target = null, string? name = null, string protocol = "TCP") =>
        new() { Port = port, TargetPort = target, Name = name, Protocol = protocol };

    public static Discoveryv1EndpointPort SlicePort(int port, string? name = null, string protocol = "TCP") =>
        new() { Port = port, Name = name, Protocol = protocol };

    /// <summary>An endpoint at the pod's first address, referring to it as the endpoint slice controller does.</summary>
    public static V1Endpoint Endpoint(V1Pod pod, bool? ready = true) => Endpoint(pod.Status.PodIP, pod, ready);

    public static V1Endpoint Endpoint(string address, V1Pod? pod = null, bool? ready = true) => new()
    {
        Addresses = [address],
        Conditions = new V1EndpointConditions { Ready = ready },
        TargetRef = pod is null ? null : new V1ObjectReference { Kind = "Pod", Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid },
    };

    /// <summary>A synced snapshot; <paramref name="reversed"/> inserts every kind in reverse, as another watch order would.</summary>
    public ClusterSnapshot Snapshot(bool reversed = false)
    {
        IEnumerable<T> Order<T>(List<T> items) => reversed ? Enumerable.Reverse(items) : items;
        return new ClusterSnapshot
        {
            Namespaces = Order(namespaces).ToDictionary(n => n.Metadata.Name, n => Decode(n, ApiJson.Default.ClusterNamespace)),
            Pods = Order(pods).ToDictionary(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}", p => Decode(p, ApiJson.Default.Pod)),
            Services = Order(services).ToDictionary(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}", s => Decode(s, ApiJson.Default.Service)),
            EndpointSlices = Order(slices).ToDictionary(s => $"{s.Metadata.NamespaceProperty}/{s.Metadata.Name}", s => Decode(s, ApiJson.Default.EndpointSlice)),
            Synced = true,
        };
    }

    /// <summary>
    /// The object as the agent reads it: written by the official client's models, decoded by the agent's own, so every
    /// translation test also checks that the two agree on the wire format.
    /// </summary>
    private static T Decode<T>(object official, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(KubernetesJson.Serialize(official), type) ?? throw new InvalidDataException("decoded to null");

    /// <summary>Translates the snapshot with the test settings; netns paths are "/netns/UID" for this node's pods.</summary>
    public (LocalConfig Config, List<string> Skipped) Translate(bool reversed = false)
    {
        var skipped = new List<string>();
        var config = ClusterTranslation.Translate(Settings, Snapshot(reversed), pod => $"/netns/{pod.Metadata.Uid}", skipped);
        return (config, skipped);
    }
}
