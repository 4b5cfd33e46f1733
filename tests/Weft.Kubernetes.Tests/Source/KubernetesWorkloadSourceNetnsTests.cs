using Weft.Workloads;
using static Weft.Kubernetes.Tests.Source.SourceHarness;

namespace Weft.Kubernetes.Tests.Source;

/// <summary>This node's pods' network namespaces through the Kubernetes source: a real finder over a fake node.</summary>
public sealed class KubernetesWorkloadSourceNetnsTests
{
    private const string WebUid = "0b0b0b0b-0000-4000-8000-000000000001";
    private const string DbUid = "0b0b0b0b-0000-4000-8000-000000000002";
    private const string ApiUid = "0b0b0b0b-0000-4000-8000-000000000003";

    [Fact]
    public async Task This_nodes_pods_get_their_network_namespaces_including_one_that_starts_later()
    {
        await using var h = new SourceHarness();
        var webNetns = h.AddSandbox(WebUid);
        h.Watch.Server.Upsert(Pod("shop", "web-0", WebUid, "10.0.0.1"));
        h.Watch.Server.Upsert(Pod("shop", "db-0", DbUid, "10.0.0.2"));
        h.Watch.Server.Upsert(Pod("shop", "api-0", ApiUid, "10.0.1.1", node: "node-b"));
        await h.StartAsync();

        var synced = await h.UntilAsync(c => c.Workloads.Count == 3);
        Assert.Equal(webNetns, Netns(synced, "web-0"));
        Assert.Null(Netns(synced, "db-0"));
        Assert.Null(Netns(synced, "api-0"));
        Assert.Equal(1, h.Source.PodsWithoutNetns);

        // The db pod's sandbox starts: found by the recheck, with no event from the API server.
        var dbNetns = h.AddSandbox(DbUid);
        var started = await h.UntilAsync(c => Netns(c, "db-0") is not null);
        Assert.Equal(dbNetns, Netns(started, "db-0"));
        Assert.Equal(webNetns, Netns(started, "web-0"));
        Assert.Equal(0, h.Source.PodsWithoutNetns);

        // The web pod's sandbox goes (the pod is being torn down): its namespace is no longer offered.
        h.FakeNode.RemoveProcess(100);
        var gone = await h.UntilAsync(c => Netns(c, "web-0") is null);
        Assert.Equal(dbNetns, Netns(gone, "db-0"));
    }

    [Fact]
    public async Task A_pod_cgroup_that_fails_to_read_leaves_that_pod_without_a_namespace_not_the_cluster_without_a_config()
    {
        await using var h = new SourceHarness();
        var webNetns = h.AddSandbox(WebUid);
        var procs = h.AddUnreadableCgroup(DbUid);
        h.Watch.Server.Upsert(Pod("shop", "web-0", WebUid, "10.0.0.1"));
        h.Watch.Server.Upsert(Pod("shop", "db-0", DbUid, "10.0.0.2"));
        await h.StartAsync();

        var synced = await h.UntilAsync(c => c.Workloads.Count == 2);
        Assert.Equal(webNetns, Netns(synced, "web-0"));
        Assert.Null(Netns(synced, "db-0"));
        Assert.Equal(0, h.Logger.Count(9025));
        Assert.Equal(1, h.Logger.Count(9024, "shop/db-0"));

        // The cgroup reads again (its pod's sandbox is there): found by the recheck.
        File.Delete(procs);
        var dbNetns = h.AddSandbox(DbUid);
        var found = await h.UntilAsync(c => Netns(c, "db-0") is not null);
        Assert.Equal(dbNetns, Netns(found, "db-0"));
        Assert.Equal(1, h.Logger.Count(9024, "shop/db-0"));
    }

    private static string? Netns(LocalConfig config, string pod) => config.Workloads.Single(w => w.Name == pod).Netns;
}
