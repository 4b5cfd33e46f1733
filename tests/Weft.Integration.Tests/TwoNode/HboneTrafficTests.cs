using System.Net;
using System.Text;
using Weft.Lab;
using Weft.Lab.Mesh;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>
/// Traffic between two nodes, each with its own agent: mesh to mesh goes through mutual-TLS HBONE
/// tunnels with each side's identity; the rest stays as it was. Each test uses its own pair of pods,
/// so a tunnel pooled by one test never hides another's handshake.
/// </summary>
public abstract class HboneTrafficTests(TwoNodeFixture fixture)
{
    private TwoNodeMesh Mesh => fixture.Mesh;

    [RootFact]
    public async Task Pod_to_pod_across_nodes_is_tls13_to_15008_on_the_wire_and_never_the_applications_bytes()
    {
        const string marker = "WEFT-PLAINTEXT-MARKER-7f3a";
        using var capture = await FabricCapture.StartAsync(Mesh.Lab);
        var to = new IPEndPoint(Mesh.WebB.Address, TwoNodeMesh.AppPort);
        await Mesh.SendAsync(Mesh.ClientA, to, "web-b", 1 << 20, text: marker);

        var outbound = await TwoNodeMesh.OneAsync(Mesh.AgentA, r => r.Direction == "outbound" && r.OriginalDestination == to.ToString() && r.SourceWorkload == "shop/client-a");
        var inbound = await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.Direction == "inbound" && r.OriginalDestination == to.ToString() && r.SourceWorkload == "shop/client-a");
        await capture.StopAsync();

        Assert.Equal(("mutual_tls", "ok", $"{Mesh.WebB.Address}:15008"), (outbound.Security, outbound.Result, outbound.Upstream));
        Assert.Equal(TwoNodeMesh.Principal("shop", "client"), outbound.SourcePrincipal);
        Assert.Equal(TwoNodeMesh.Principal("shop", "web"), outbound.DestinationPrincipal);
        Assert.Equal(("mutual_tls", "ok", 1L << 20), (inbound.Security, inbound.Result, inbound.BytesSent));
        Assert.Equal(TwoNodeMesh.Principal("shop", "client"), inbound.SourcePrincipal);
        Assert.Equal(TwoNodeMesh.Principal("shop", "web"), inbound.DestinationPrincipal);

        // On the wire: the client's bytes never appear, nothing goes to the application's port,
        // and the tunnel is TLS 1.3 (ServerHello's supported_versions) with ALPN h2, to port 15008.
        Assert.False(capture.Contains(Encoding.ASCII.GetBytes(marker)), "the application's bytes crossed the fabric in clear");
        var (client, server) = (Mesh.ClientA.Address, Mesh.WebB.Address);
        Assert.Empty(capture.Fields($"ip.src=={client} && ip.dst=={server} && tcp.dstport=={TwoNodeMesh.AppPort}", "frame.number"));
        var hellos = capture.DecodedFields(FabricCapture.HboneDecode, $"ip.src=={server} && tcp.srcport==15008 && tls.handshake.type==2", "tls.handshake.extensions.supported_version");
        Assert.NotEmpty(hellos);
        Assert.All(hellos, h => Assert.Equal("0x0304", h[0]));
        var alpn = capture.DecodedFields(FabricCapture.HboneDecode, $"ip.src=={client} && tcp.dstport==15008 && tls.handshake.type==1", "tls.handshake.extensions_alpn_str");
        Assert.Contains(alpn, a => a[0] == "h2");
        Assert.NotEmpty(capture.DecodedFields(FabricCapture.HboneDecode, $"ip.src=={client} && ip.dst=={server} && tcp.dstport==15008 && tls.app_data", "frame.number"));
    }

    [RootFact]
    public async Task Pod_to_service_across_nodes_tunnels_to_the_chosen_endpoint_and_the_vip_never_leaves_the_pod()
    {
        using var capture = await FabricCapture.StartAsync(Mesh.Lab);
        var vip = new IPEndPoint(TwoNodeMesh.ApiVip, 80);
        await Mesh.SendAsync(Mesh.WebA, vip, "api-b");

        var outbound = await TwoNodeMesh.OneAsync(Mesh.AgentA, r => r.Direction == "outbound" && r.OriginalDestination == vip.ToString() && r.SourceWorkload == "shop/web-a");
        var inbound = await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.Direction == "inbound" && r.DestinationWorkload == "shop/api-b" && r.SourceWorkload == "shop/web-a");
        await capture.StopAsync();

        Assert.Equal(($"{Mesh.ApiB.Address}:15008", "shop/api-b", "shop/api", "mutual_tls"), (outbound.Upstream, outbound.DestinationWorkload, outbound.DestinationService, outbound.Security));
        Assert.Equal(TwoNodeMesh.Principal("shop", "api"), outbound.DestinationPrincipal);
        Assert.Equal(TwoNodeMesh.Principal("shop", "web"), inbound.SourcePrincipal);
        Assert.Equal($"{Mesh.ApiB.Address}:{TwoNodeMesh.AppPort}", inbound.OriginalDestination);
        Assert.Empty(capture.Fields($"ip.dst=={TwoNodeMesh.ApiVip}", "frame.number"));
    }

    [RootFact]
    public async Task Same_node_pods_also_meet_through_the_tunnel_with_both_identities_checked()
    {
        var to = new IPEndPoint(Mesh.WebA.Address, TwoNodeMesh.AppPort);
        await Mesh.SendAsync(Mesh.ClientA, to, "web-a");
        var inbound = await TwoNodeMesh.OneAsync(Mesh.AgentA, r => r.Direction == "inbound" && r.OriginalDestination == to.ToString());
        Assert.Equal(("mutual_tls", TwoNodeMesh.Principal("shop", "client"), "shop/client-a"), (inbound.Security, inbound.SourcePrincipal, inbound.SourceWorkload));
    }

    [RootFact]
    public async Task Plaintext_from_outside_the_mesh_is_accepted_in_permissive_mode_and_mesh_to_outside_goes_direct()
    {
        var web = new IPEndPoint(Mesh.ApiB.Address, TwoNodeMesh.AppPort);
        await Mesh.SendAsync(Mesh.LegacyB, web, "api-b");
        var inbound = await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.Direction == "inbound" && r.OriginalDestination == web.ToString() && r.SourceWorkload == "legacy/legacy-b");
        Assert.Equal(("plaintext", "-", "ok"), (inbound.Security, inbound.SourcePrincipal, inbound.Result));

        var legacy = new IPEndPoint(Mesh.LegacyB.Address, TwoNodeMesh.AppPort);
        await Mesh.SendAsync(Mesh.ApiB, legacy, "legacy-b");
        var outbound = await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.Direction == "outbound" && r.OriginalDestination == legacy.ToString());
        Assert.Equal(("plaintext", legacy.ToString(), "ok"), (outbound.Security, outbound.Upstream, outbound.Result));
    }
}

/// <summary>The agents read the cluster from their config files.</summary>
[Collection(SharedTwoNodeMesh.Name)]
public sealed class StandaloneHboneTrafficTests(TwoNodeFixture fixture) : HboneTrafficTests(fixture);

/// <summary>The agents read the cluster from the (stand-in) Kubernetes API; the traffic must not tell.</summary>
public sealed class KubernetesHboneTrafficTests(KubernetesTwoNodeFixture fixture) : HboneTrafficTests(fixture), IClassFixture<KubernetesTwoNodeFixture>;
