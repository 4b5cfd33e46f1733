using System.Net;
using k8s.Models;
using Weft.Lab;
using Weft.Platform.Netns;
using Weft.Tests.Shared.Kubernetes;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>
/// The mesh's cluster as Kubernetes objects in a stand-in API server: the namespaces with their
/// labels, the pods (uid, node, service account, labels, address, QoS class), the api Service with a
/// named target port and its EndpointSlice, and a hostNetwork pod on node-a, which must never be
/// enrolled. node-a's kubelet uses the systemd cgroup driver, node-b's cgroupfs.
/// </summary>
public sealed partial class TwoNodeMesh
{
    /// <summary>A pod of node-a with hostNetwork: true (its address is the node's; never a workload).</summary>
    public const string HostNetworkPod = "node-exporter-a";

    /// <summary>The API server in Kubernetes mode; null standalone.</summary>
    internal StandInApiServer? Api { get; }

    public string KubeconfigPath => Path.Combine(dir, "kubeconfig");

    /// <summary>The pod as the API server has it (Kubernetes mode).</summary>
    public static V1Pod PodObject(LabPod pod) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = pod.Name,
            NamespaceProperty = NamespaceOf(pod.Name),
            Uid = pod.Kubelet!.Uid,
            Labels = LabelsOf(pod.Name),
        },
        Spec = new V1PodSpec
        {
            NodeName = pod.Node.Name,
            ServiceAccountName = ServiceAccountOf(pod.Name),
            Containers = [new V1Container { Name = "app", Image = "weft-lab/probe" }],
        },
        Status = new V1PodStatus
        {
            Phase = "Running",
            PodIP = pod.Address.ToString(),
            PodIPs = [.. new[] { pod.Address, pod.Address6 }.OfType<IPAddress>().Select(a => new V1PodIP { Ip = a.ToString() })],
            QosClass = pod.Kubelet.Qos.ToString(),
        },
    };

    /// <summary>The shop namespace with the given labels (Kubernetes mode).</summary>
    public void LabelShop(IDictionary<string, string> labels) =>
        Api!.Upsert(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop", Labels = labels } });

    // Each pod's namespace, service account and labels, for the config files and the API server alike.
    private static string NamespaceOf(string pod) => pod == "legacy-b" ? "legacy" : "shop";

    private static string ServiceAccountOf(string pod) => pod switch
    {
        "client-a" => "client",
        "web-a" or "web-b" => "web",
        "api-b" => "api",
        _ => "default",
    };

    private static Dictionary<string, string> LabelsOf(string pod) => pod switch
    {
        "web-a" or "web-b" => new() { ["app"] = "web" },
        "api-b" => new() { ["app"] = "api" },
        _ => [],
    };

    /// <summary>A lab pod; in Kubernetes mode with kubelet's cgroups and a pause process holding its netns.</summary>
    private void AddPod(LabNode node, string name, string address, PodQosClass qos)
    {
        if (Api is null)
        {
            Lab.AddPod(node, name, IPAddress.Parse(address));
            return;
        }

        var driver = node == NodeA ? CgroupDriver.Systemd : CgroupDriver.Cgroupfs;
        var pod = Lab.AddPod(node, name, IPAddress.Parse(address), new KubeletPodCgroup(KubeletPodCgroup.NewUid(), qos, driver));

        // First, as kubelet starts the sandbox first: the earliest process is the one whose netns the agent takes.
        pod.StartPause();
    }

    /// <summary>Puts the cluster into the API server (Kubernetes mode), before any agent starts.</summary>
    private void PublishCluster()
    {
        if (Api is null)
        {
            return;
        }

        LabelShop(new Dictionary<string, string> { ["weft.io/mesh"] = "enabled" });
        Api.Upsert(new V1Namespace { Metadata = new V1ObjectMeta { Name = "legacy" } });
        foreach (var pod in Lab.Pods)
        {
            Api.Upsert(PodObject(pod));
        }

        Api.Upsert(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = HostNetworkPod, NamespaceProperty = "shop", Uid = KubeletPodCgroup.NewUid(), Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { NodeName = NodeA.Name, HostNetwork = true, Containers = [new V1Container { Name = "exporter", Image = "exporter" }] },
            Status = new V1PodStatus { Phase = "Running", PodIP = "10.77.0.250", PodIPs = [new V1PodIP { Ip = "10.77.0.250" }] },
        });

        // The port is named on both sides: the slice says which port "http" is on each pod.
        Api.Upsert(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "api", NamespaceProperty = "shop" },
            Spec = new V1ServiceSpec
            {
                ClusterIP = ApiVip.ToString(),
                ClusterIPs = [ApiVip.ToString()],
                Selector = new Dictionary<string, string> { ["app"] = "api" },
                Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = "http", Protocol = "TCP" }],
            },
        });
        Api.Upsert(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = "api-7xk2p",
                NamespaceProperty = "shop",
                Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "api" },
            },
            AddressType = "IPv4",
            Endpoints =
            [
                new V1Endpoint
                {
                    Addresses = [ApiB.Address.ToString()],
                    Conditions = new V1EndpointConditions { Ready = true },
                    NodeName = NodeB.Name,
                    TargetRef = new V1ObjectReference { Kind = "Pod", Name = "api-b", NamespaceProperty = "shop", Uid = ApiB.Kubelet!.Uid },
                },
            ],
            Ports = [new Discoveryv1EndpointPort { Name = "http", Port = AppPort, Protocol = "TCP" }],
        });
    }
}
