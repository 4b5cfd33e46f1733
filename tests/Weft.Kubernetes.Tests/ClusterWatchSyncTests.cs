using k8s.Models;
using Weft.Kubernetes.Api;
using Weft.Kubernetes.Source;
using Weft.Kubernetes.Watch;
using Weft.Tests.Shared.Kubernetes;
using static Weft.Kubernetes.Tests.WatchHarness;

namespace Weft.Kubernetes.Tests;

/// <summary>The initial list of every kind, paginated, and the objects as the snapshot holds them.</summary>
public sealed class ClusterWatchSyncTests
{
    [Fact]
    public async Task Initial_list_holds_every_pre_existing_object_of_all_four_kinds_across_pages()
    {
        await using var h = new WatchHarness();
        foreach (var ns in new[] { "default", "shop", "kube-system" })
        {
            h.Server.Upsert(Namespace(ns));
        }

        for (var i = 0; i < 5; i++)
        {
            h.Server.Upsert(Pod("shop", $"web-{i}", ip: $"10.0.0.{i + 1}"));
        }

        h.Server.Upsert(Service("shop", "web"));
        h.Server.Upsert(Service("default", "kubernetes"));
        h.Server.Upsert(Service("shop", "db"));
        h.Server.Upsert(Slice("shop", "web-abc", "web"));
        h.Server.Upsert(Slice("shop", "db-abc", "db"));
        h.Server.Upsert(Slice("default", "kubernetes", "kubernetes"));

        var snapshot = await h.StartAndSyncAsync();

        Assert.True(snapshot.Synced);
        Assert.Same(snapshot, h.Watch.Current);
        Assert.Equal(["default", "kube-system", "shop"], snapshot.Namespaces.Keys.Order());
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"shop/web-{i}"), snapshot.Pods.Keys.Order());
        Assert.Equal("10.0.0.4", snapshot.Pods["shop/web-3"].Status?.PodIP);
        Assert.Equal(["default/kubernetes", "shop/db", "shop/web"], snapshot.Services.Keys.Order());
        Assert.Equal(["default/kubernetes", "shop/db-abc", "shop/web-abc"], snapshot.EndpointSlices.Keys.Order());
        Assert.Equal("web", snapshot.EndpointSlices["shop/web-abc"].Metadata.Labels?["kubernetes.io/service-name"]);

        // Page size 2: five pods take three pages of one list; three of each other kind take two.
        Assert.Equal(1, h.Server.ListCount<V1Pod>());
        Assert.Equal(3, h.Server.PageCount<V1Pod>());
        Assert.Equal(2, h.Server.PageCount<V1Namespace>());
        Assert.Equal(2, h.Server.PageCount<V1Service>());
        Assert.Equal(2, h.Server.PageCount<V1EndpointSlice>());

        // Each kind watches from its list's resourceVersion.
        Assert.Equal(h.Server.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), h.Server.LastWatchResourceVersion<V1Pod>());
        Assert.All(h.Watch.Status, s => Assert.True(s.Connected));
        Assert.All(h.Watch.Status, s => Assert.Equal(0, s.Relists));
    }

    [Fact]
    public async Task An_empty_cluster_syncs_to_an_empty_synced_snapshot()
    {
        await using var h = new WatchHarness();

        var snapshot = await h.StartAndSyncAsync();

        Assert.True(snapshot.Synced);
        Assert.Empty(snapshot.Pods);
        Assert.Empty(snapshot.Namespaces);
        Assert.False(ClusterSnapshot.Empty.Synced);
    }

    [Fact]
    public async Task A_continue_token_that_expires_mid_list_restarts_the_list_from_the_first_page()
    {
        await using var h = new WatchHarness();
        for (var i = 0; i < 5; i++)
        {
            h.Server.Upsert(Pod("shop", $"web-{i}"));
        }

        h.Server.FailNextContinue<V1Pod>();

        var snapshot = await h.StartAndSyncAsync();

        Assert.Equal(5, snapshot.Pods.Count);
        Assert.Equal(2, h.Server.ListCount<V1Pod>());
        // Page 1, page 2 answered 410, then pages 1 to 3 again.
        Assert.Equal(5, h.Server.PageCount<V1Pod>());
        Assert.Equal(1, h.Logger.Count(9004));
        Assert.Equal(0, h.StatusOf("pods").Relists);
    }

    [Fact]
    public async Task Listed_and_watched_objects_decode_into_the_agent_s_model_whatever_else_they_carry()
    {
        // Written by the official client's models, with fields the agent's model has no place for (managedFields,
        // annotations, containers, conditions): those are skipped, what the agent reads arrives.
        await using var h = new WatchHarness();
        var listed = Pod("shop", "listed");
        listed.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl", Operation = "Apply", FieldsType = "FieldsV1" }];
        listed.Metadata.Annotations = new Dictionary<string, string> { ["example.org/note"] = "x" };
        h.Server.Upsert(listed);
        await h.StartAndSyncAsync();

        var watched = Pod("shop", "watched", ip: "10.0.0.2");
        watched.Spec.ServiceAccountName = "web";
        watched.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = "True" }];
        watched.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubelet", Operation = "Update", FieldsType = "FieldsV1" }];
        var stored = h.Server.Upsert(watched);
        var snapshot = await h.UntilAsync(s => s.Pods.ContainsKey("shop/watched"));

        var pod = snapshot.Pods["shop/watched"];
        Assert.Equal(("watched", "shop", stored.Metadata.Uid, stored.Metadata.ResourceVersion), (pod.Metadata.Name, pod.Metadata.Namespace, pod.Metadata.Uid, pod.Metadata.ResourceVersion));
        Assert.Equal(("node-a", "web", "10.0.0.2"), (pod.Spec?.NodeName, pod.Spec?.ServiceAccountName, pod.Status?.PodIP));
        Assert.Equal(stored.Metadata.CreationTimestamp, pod.Metadata.CreationTimestamp);
        Assert.Equal("shop", snapshot.Pods["shop/listed"].Metadata.Namespace);
    }

    [Fact]
    public async Task A_pod_field_selector_keeps_only_the_selected_node_s_pods()
    {
        await using var h = new WatchHarness(o => o.PodFieldSelector = "spec.nodeName=node-a");
        h.Server.Upsert(Pod("shop", "here", node: "node-a"));
        h.Server.Upsert(Pod("shop", "there", node: "node-b"));
        var synced = await h.StartAndSyncAsync();

        h.Server.Upsert(Pod("shop", "elsewhere", node: "node-b"));
        h.Server.Upsert(Pod("shop", "also-here", node: "node-a"));
        var snapshot = await h.UntilAsync(s => s.Pods.ContainsKey("shop/also-here"));

        Assert.Equal(["shop/here"], synced.Pods.Keys);
        Assert.Equal(["shop/also-here", "shop/here"], snapshot.Pods.Keys.Order());
    }

    [Fact]
    public async Task A_client_built_from_the_written_kubeconfig_reaches_the_stand_in()
    {
        using var server = new StandInApiServer();
        server.Upsert(Namespace("from-kubeconfig"));
        var path = Path.Combine(Path.GetTempPath(), $"weft-kubeconfig-{Guid.NewGuid():N}.yaml");
        try
        {
            server.WriteKubeconfig(path);
            using var client = new ApiClient(KubernetesConnection.FromKubeconfig(KubeconfigFile.Read(path)) with { UseProxy = false });

            var namespaces = await ApiRequest.ListAsync(client, "api/v1/namespaces", null, null, 10, ApiJson.Default.ObjectListClusterNamespace, default);

            Assert.Equal("from-kubeconfig", Assert.Single(namespaces.Items!).Metadata.Name);
            Assert.Equal(server.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), namespaces.Metadata?.ResourceVersion);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
