using System.Net;
using Weft.Lab.Mesh;

namespace Weft.Lab.Demo;

/// <summary>The demo's two nodes, three pods, operator root and the two agents' config files.</summary>
internal sealed class DemoTopology
{
    public const string DenyClientStrictShop = """
        policies:
          - name: deny-client
            namespace: shop
            selector: { app: web }
            action: DENY
            rules:
              - from:
                  - principals: [cluster.local/ns/shop/sa/client]
        mtls:
          - namespace: shop
            mode: STRICT
        """;

    private static readonly IPAddress ServiceVip = IPAddress.Parse("10.96.0.10");
    private readonly string dir;

    public DemoTopology(Lab lab, string dir)
    {
        this.dir = dir;
        NodeA = lab.AddNode("node-a");
        NodeB = lab.AddNode("node-b");
        Client = lab.AddPod(NodeA, "client-1", IPAddress.Parse("10.77.0.2"));
        Web = lab.AddPod(NodeB, "web-1", IPAddress.Parse("10.77.0.3"));
        Legacy = lab.AddPod(NodeB, "legacy-1", IPAddress.Parse("10.77.0.4"));
    }

    public LabNode NodeA { get; }

    public LabNode NodeB { get; }

    public LabPod Client { get; }

    public LabPod Web { get; }

    public LabPod Legacy { get; }

    public string CaCert => Path.Combine(dir, "ca.crt");

    public string CaKey => Path.Combine(dir, "ca.key");

    public string ConfigPath(LabNode node) => Path.Combine(dir, node.Name + ".yaml");

    public void WriteConfigs(bool shopEnrolled, string? policies)
    {
        var shopLabels = shopEnrolled ? MeshConfigBuilder.Labels("weft.io/mesh", "enabled") : [];
        foreach (var node in new[] { NodeA, NodeB })
        {
            new MeshConfigBuilder(node) { CaFiles = (CaCert, CaKey), IdentityStateDir = Path.Combine(dir, node.Name + "-state"), PolicyYaml = policies }
                .Namespace("shop", shopLabels)
                .Namespace("legacy")
                .Workload(Web, "shop", "web", MeshConfigBuilder.Labels("app", "web"))
                .Workload(Client, "shop", "client")
                .Workload(Legacy, "legacy")
                .Service("web", "shop", ServiceVip, 80, 8080, MeshConfigBuilder.Labels("app", "web"))
                .WriteTo(ConfigPath(node));
        }
    }
}
