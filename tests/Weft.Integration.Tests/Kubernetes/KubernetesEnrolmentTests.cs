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

    [RootFact]
    public async Task Namespace_labels_enrol_and_release_pods_on_every_node_as_the_api_server_changes_them()
    {
        var (a, b) = (Mesh.AgentA.LineCount, Mesh.AgentB.LineCount);
        Mesh.LabelShop(new Dictionary<string, string>());
        await Released(Mesh.AgentA, a, Mesh.ClientA, Mesh.WebA);
        await Released(Mesh.AgentB, b, Mesh.WebB, Mesh.ApiB);

        // Out of the mesh, pods talk directly: the server sees the client's own address, and no agent proxies it.
        var (_, served) = await Mesh.SendAsync(Mesh.ClientA, new IPEndPoint(Mesh.WebB.Address, TwoNodeMesh.AppPort), "web-b");
        Assert.StartsWith($"{Mesh.ClientA.Address}:", served.Remote, StringComparison.Ordinal);

        // Istio's ambient label enrols as well as Weft's own.
        (a, b) = (Mesh.AgentA.LineCount, Mesh.AgentB.LineCount);
        Mesh.LabelShop(new Dictionary<string, string> { ["istio.io/dataplane-mode"] = "ambient" });
        await Enrolled(Mesh.AgentA, a, Mesh.ClientA, Mesh.WebA);
        await Enrolled(Mesh.AgentB, b, Mesh.WebB, Mesh.ApiB);

        // Swapping one enabling label for the other changes nothing for the pods.
        (a, b) = (Mesh.AgentA.LineCount, Mesh.AgentB.LineCount);
        Mesh.LabelShop(new Dictionary<string, string> { ["weft.io/mesh"] = "enabled" });
        await Mesh.SendAsync(Mesh.ClientA, new IPEndPoint(Mesh.WebB.Address, TwoNodeMesh.AppPort), "web-b");
        Assert.DoesNotContain(Mesh.AgentA.Log.Skip(a), e => e.EventId == LabAgent.PodReleased);
        Assert.DoesNotContain(Mesh.AgentB.Log.Skip(b), e => e.EventId == LabAgent.PodReleased);
    }

    [RootFact]
    public async Task A_pod_labelled_out_of_the_mesh_is_released_alone_and_enrolled_again_when_the_label_goes()
    {
        var a = Mesh.AgentA.LineCount;
        var optedOut = TwoNodeMesh.PodObject(Mesh.WebA);
        optedOut.Metadata.Labels["weft.io/mesh"] = "disabled";
        Mesh.Api!.Upsert(optedOut);
        await Released(Mesh.AgentA, a, Mesh.WebA);

        a = Mesh.AgentA.LineCount;
        Mesh.Api.Upsert(TwoNodeMesh.PodObject(Mesh.WebA));
        await Enrolled(Mesh.AgentA, a, Mesh.WebA);
        Assert.DoesNotContain(Mesh.AgentA.Log.Skip(a), e => e.EventId == LabAgent.PodReleased);
    }

    [RootFact]
    public async Task A_pod_scheduled_while_the_agent_runs_is_enrolled_once_its_sandbox_runs_and_released_when_deleted()
    {
        var late = Mesh.Lab.AddPod(Mesh.NodeA, "late-a", IPAddress.Parse("10.77.0.7"),
            new KubeletPodCgroup(KubeletPodCgroup.NewUid(), Weft.Platform.Netns.PodQosClass.Burstable, CgroupDriver.Systemd));
        var a = Mesh.AgentA.LineCount;

        // As kubelet has it: the API server knows the pod (and its address) before its sandbox has a process.
        Mesh.Api!.Upsert(TwoNodeMesh.PodObject(late));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(Mesh.AgentA.Log.Skip(a), e => e.EventId == LabAgent.PodEnrolled && e["Pod"] == late.Kubelet!.Uid);

        late.StartPause();
        await Enrolled(Mesh.AgentA, a, late);
        await Mesh.SendAsync(late, new IPEndPoint(Mesh.WebB.Address, TwoNodeMesh.AppPort), "web-b");
        var inbound = await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.Direction == "inbound" && r.SourceWorkload == "shop/late-a");
        Assert.Equal(("mutual_tls", TwoNodeMesh.Principal("shop", "default")), (inbound.Security, inbound.SourcePrincipal));

        a = Mesh.AgentA.LineCount;
        Assert.True(Mesh.Api.Delete<V1Pod>("shop", "late-a"));
        await Released(Mesh.AgentA, a, late);
    }

    [RootFact]
    public async Task A_watch_cut_mid_stream_and_a_410_after_an_outage_lose_no_enrolment_and_miss_no_change()
    {
        var (a, b) = (Mesh.AgentA.LineCount, Mesh.AgentB.LineCount);

        // Cut mid-stream: the agents resume from their last resourceVersion and see what follows.
        Mesh.Api!.DropWatches();
        var optedOut = TwoNodeMesh.PodObject(Mesh.WebA);
        optedOut.Metadata.Labels["weft.io/mesh"] = "disabled";
        Mesh.Api.Upsert(optedOut);
        await Released(Mesh.AgentA, a, Mesh.WebA);

        // Changed while the API server was away, and its history compacted meanwhile: the resumed watch
        // gets 410 Gone, the agents list again, and the new list replaces the old one (web-a back in).
        a = Mesh.AgentA.LineCount;
        Mesh.Api.Stop();
        Mesh.Api.Upsert(TwoNodeMesh.PodObject(Mesh.WebA));
        Mesh.Api.ExpireHistory();
        Mesh.Api.Resume();
        await Enrolled(Mesh.AgentA, a, Mesh.WebA);
        await Mesh.AgentA.WaitForAsync(KubeRelisting, e => e["Kind"] == "pods", Slow, a); // listed again after 410 Gone

        // Nothing else moved: the pods that stayed enrolled throughout were never released.
        Assert.DoesNotContain(Mesh.AgentA.Log.Skip(a), e => e.EventId == LabAgent.PodReleased);
        Assert.DoesNotContain(Mesh.AgentB.Log.Skip(b), e => e.EventId == LabAgent.PodReleased);
        Assert.Empty(Mesh.Api.Faults);
    }

    [RootFact]
    public async Task An_api_server_down_for_a_minute_leaves_enrolled_pods_enrolled_and_tunnelling()
    {
        var (a, b) = (Mesh.AgentA.LineCount, Mesh.AgentB.LineCount);
        Mesh.Api!.Stop();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                // Meshed traffic keeps flowing, mutually authenticated, at the start, through and at the end of the minute.
                var (probe, _) = await Mesh.SendAsync(Mesh.ClientA, new IPEndPoint(Mesh.WebB.Address, TwoNodeMesh.AppPort), "web-b");
                var outbound = await TwoNodeMesh.OneAsync(Mesh.AgentA, r => r.Direction == "outbound" && r.SourceWorkload == "shop/client-a"
                    && probe.Local!.EndsWith(r.SourceAddress[r.SourceAddress.LastIndexOf(':')..], StringComparison.Ordinal));
                Assert.Equal("mutual_tls", outbound.Security);
                if (i < 3)
                {
                    await Task.Delay(TimeSpan.FromSeconds(20));
                }
            }
        }
        finally
        {
            Mesh.Api.Resume();
        }

        Assert.DoesNotContain(Mesh.AgentA.Log.Skip(a), e => e.EventId == LabAgent.PodReleased);
        Assert.DoesNotContain(Mesh.AgentB.Log.Skip(b), e => e.EventId == LabAgent.PodReleased);

        // Back: changes flow again (after at most one backoff).
        a = Mesh.AgentA.LineCount;
        var optedOut = TwoNodeMesh.PodObject(Mesh.WebA);
        optedOut.Metadata.Labels["weft.io/mesh"] = "disabled";
        Mesh.Api.Upsert(optedOut);
        await Released(Mesh.AgentA, a, Mesh.WebA);
        a = Mesh.AgentA.LineCount;
        Mesh.Api.Upsert(TwoNodeMesh.PodObject(Mesh.WebA));
        await Enrolled(Mesh.AgentA, a, Mesh.WebA);
    }

    [RootFact]
    public async Task A_restarted_agent_is_not_ready_until_the_api_server_has_listed_everything_then_enrols_the_running_pods()
    {
        Mesh.Api!.Stop();
        LabAgent agent;
        try
        {
            agent = await Mesh.RestartAgentAsync(Mesh.NodeA, waitForPods: false);

            // Alive (capture attached, endpoints up) but not ready: it does not know its pods yet.
            var (status, body) = await Health(Mesh.NodeA, "/healthz/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.StartsWith("not ready: waiting for the first complete list of namespaces, pods, services and endpoint slices", body, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await Health(Mesh.NodeA, "/healthz/live")).Status);
            Assert.DoesNotContain(agent.Log, e => e.EventId == LabAgent.PodEnrolled);
        }
        finally
        {
            Mesh.Api.Resume();
        }

        // The pods were running all along: the first list enrols them, and the agent turns ready.
        await Enrolled(agent, 0, Mesh.ClientA, Mesh.WebA);
        var deadline = DateTime.UtcNow + Slow;
        while ((await Health(Mesh.NodeA, "/healthz/ready")).Status != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "not ready after the pods were enrolled");
            await Task.Delay(100);
        }
    }

    private const int KubeRelisting = 9001;

    /// <summary>Long enough for a reconnect after the watch's longest backoff (30 s).</summary>
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(45);

    /// <summary>Asks a health path, waiting for the listener: it starts just after the agent says it is up.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> Health(LabNode node, string path)
    {
        using var http = LoopbackPort.Client();
        var deadline = DateTime.UtcNow + TwoNodeMesh.Wait;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{node.TelemetryPorts.Readiness}{path}");
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task Enrolled(LabAgent agent, int skipLines, params LabPod[] pods)
    {
        foreach (var pod in pods)
        {
            await agent.WaitForAsync(LabAgent.PodEnrolled, e => e["Pod"] == pod.Kubelet!.Uid, Slow, skipLines);
        }
    }

    private static async Task Released(LabAgent agent, int skipLines, params LabPod[] pods)
    {
        foreach (var pod in pods)
        {
            await agent.WaitForAsync(LabAgent.PodReleased, e => e["Pod"] == pod.Kubelet!.Uid, Slow, skipLines);
        }
    }

    private static void AssertEnrolled(LabAgent agent, params LabPod[] pods)
    {
        foreach (var pod in pods)
        {
            // The first enrolment: other tests of the class release and enrol pods again.
            var enrolled = agent.Log.First(e => e.EventId == LabAgent.PodEnrolled && e["Pod"] == pod.Kubelet!.Uid);

            // The network namespace the agent found from the pod's cgroup is the pod's own.
            var netns = enrolled["Netns"];
            Assert.Matches(@"^/proc/\d+/ns/net$", netns);
            Assert.Equal(Weft.Platform.Netns.NetworkNamespace.CurrentInode(pod.NetnsPath), Weft.Platform.Netns.NetworkNamespace.CurrentInode(netns));
        }
    }
}
