using System.Net;
using k8s.Models;
using Weft.Integration.Tests.TwoNode;
using Weft.Lab;
using Weft.Lab.Mesh;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests.Kubernetes;

/// <summary>
/// `weft agent --kubernetes` on two lab nodes whose pods are laid out as kubelet lays them out,
/// against a stand-in API server: pods that existed before the agents started are enrolled, and
/// enrolment follows namespace labels, pod opt-outs, new and deleted pods as the API server reports them.
/// Each test leaves the cluster as it found it.
/// </summary>
public sealed class KubernetesEnrolmentTests(KubernetesTwoNodeFixture fixture) : IClassFixture<KubernetesTwoNodeFixture>
{
    private TwoNodeMesh Mesh => fixture.Mesh;

    [RootFact]
    public async Task Pods_running_before_the_agents_started_are_enrolled_and_tunnel_with_their_service_accounts_identity()
    {
        // Mesh creation already waited for each agent to enrol its node's shop pods; the hostNetwork pod and legacy-b never are.
        AssertEnrolled(Mesh.AgentA, Mesh.ClientA, Mesh.WebA);
        AssertEnrolled(Mesh.AgentB, Mesh.WebB, Mesh.ApiB);
        Assert.DoesNotContain(Mesh.AgentA.Log, e => e.EventId == LabAgent.PodEnrolled && e["Pod"] == Mesh.LegacyB.Kubelet!.Uid);
        Assert.DoesNotContain(Mesh.AgentB.Log, e => e.EventId == LabAgent.PodEnrolled && e["Pod"] == Mesh.LegacyB.Kubelet!.Uid);

        // Through the api Service: its named target port resolves through the EndpointSlice to api-b:8080.
        await Mesh.SendAsync(Mesh.ClientA, new IPEndPoint(TwoNodeMesh.ApiVip, 80), "api-b");
        var outbound = await TwoNodeMesh.OneAsync(Mesh.AgentA, r => r.Direction == "outbound" && r.SourceWorkload == "shop/client-a" && r.DestinationService == "shop/api");
        var inbound = await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.Direction == "inbound" && r.SourceWorkload == "shop/client-a" && r.DestinationWorkload == "shop/api-b");
        Assert.Equal(($"{Mesh.ApiB.Address}:15008", "shop/api-b", "mutual_tls"), (outbound.Upstream, outbound.DestinationWorkload, outbound.Security));
        Assert.Equal(TwoNodeMesh.Principal("shop", "api"), outbound.DestinationPrincipal);
        Assert.Equal(TwoNodeMesh.Principal("shop", "client"), inbound.SourcePrincipal);
    }

    private static void AssertEnrolled(LabAgent agent, params LabPod[] pods)
    {
        foreach (var pod in pods)
        {
            var enrolled = Assert.Single(agent.Log, e => e.EventId == LabAgent.PodEnrolled && e["Pod"] == pod.Kubelet!.Uid);

            // The network namespace the agent found from the pod's cgroup is the pod's own.
            var netns = enrolled["Netns"];
            Assert.Matches(@"^/proc/\d+/ns/net$", netns);
            Assert.Equal(Weft.Platform.Netns.NetworkNamespace.CurrentInode(pod.NetnsPath), Weft.Platform.Netns.NetworkNamespace.CurrentInode(netns));
        }
    }
}
