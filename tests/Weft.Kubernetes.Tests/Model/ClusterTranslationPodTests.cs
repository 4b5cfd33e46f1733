using System.Net;
using Weft.Kubernetes.Model;
using Weft.Kubernetes.Source;
using Weft.Workloads;

namespace Weft.Kubernetes.Tests.Model;

/// <summary>Pods and namespaces through <see cref="ClusterTranslation"/>.</summary>
public sealed class ClusterTranslationPodTests
{
    [Fact]
    public void A_running_pod_becomes_a_workload_with_its_identity_labels_and_node()
    {
        var c = new ClusterBuilder();
        c.Pod("shop", "web-0", "10.0.0.1").Spec.ServiceAccountName = "web";
        var remote = c.Pod("shop", "db-0", "10.0.1.1");
        remote.Spec.NodeName = "node-b";

        var (config, skipped) = c.Translate();

        Assert.Empty(skipped);
        var web = config.Workloads.Single(w => w.Name == "web-0");
        Assert.Equal(("uid-web-0", "shop", "web", "node-a", "/netns/uid-web-0"), (web.Uid, web.Namespace, web.ServiceAccount, web.Node, web.Netns));
        Assert.Equal([IPAddress.Parse("10.0.0.1")], web.Addresses);
        Assert.Equal("web-0", web.Labels["app"]);
        var db = config.Workloads.Single(w => w.Name == "db-0");
        // No service account named: Kubernetes runs the pod as "default"; another node's pod has no namespace here.
        Assert.Equal((Workload.DefaultServiceAccount, "node-b", (string?)null), (db.ServiceAccount, db.Node, db.Netns));
    }

    [Fact]
    public void A_pods_controller_names_its_workload_as_Istio_does()
    {
        var c = new ClusterBuilder();
        Owned(c.Pod("shop", "web-7d9f8b6c5-abcde", "10.0.0.1"), "ReplicaSet", "web-7d9f8b6c5").Metadata.Labels["pod-template-hash"] = "7d9f8b6c5";
        Owned(c.Pod("shop", "rs-only-x1", "10.0.0.2"), "ReplicaSet", "rs-only"); // a ReplicaSet of its own: no hash label
        Owned(c.Pod("shop", "db-0", "10.0.0.3"), "StatefulSet", "db");
        Owned(c.Pod("shop", "report-28391234-q7x", "10.0.0.4"), "Job", "report-28391234"); // a CronJob's job
        Owned(c.Pod("shop", "migrate-1-zz", "10.0.0.5"), "Job", "migrate-1");
        Owned(c.Pod("shop", "not-controller", "10.0.0.6"), "ReplicaSet", "other", controller: false);
        c.Pod("shop", "bare", "10.0.0.7");

        var (config, _) = c.Translate();

        string? ControllerOf(string pod) => config.Workloads.Single(w => w.Name == pod).Controller;
        Assert.Equal("web", ControllerOf("web-7d9f8b6c5-abcde"));
        Assert.Equal("rs-only", ControllerOf("rs-only-x1"));
        Assert.Equal("db", ControllerOf("db-0"));
        Assert.Equal("report", ControllerOf("report-28391234-q7x"));
        Assert.Equal("migrate-1", ControllerOf("migrate-1-zz"));
        Assert.Null(ControllerOf("not-controller"));
        Assert.Null(ControllerOf("bare"));
        Assert.Equal("bare", WorkloadNames.Workload(config.Workloads.Single(w => w.Name == "bare")));
    }

    private static k8s.Models.V1Pod Owned(k8s.Models.V1Pod pod, string kind, string name, bool controller = true)
    {
        pod.Metadata.OwnerReferences = [new k8s.Models.V1OwnerReference { ApiVersion = "apps/v1", Kind = kind, Name = name, Uid = "uid-" + name, Controller = controller }];
        return pod;
    }

    [Fact]
    public void Pods_without_an_own_address_or_a_node_or_that_have_finished_are_left_out_silently()
    {
        var c = new ClusterBuilder();
        c.Pod("shop", "kept", "10.0.0.1");
        c.Pod("shop", "host", "192.168.1.10").Spec.HostNetwork = true;
        c.Pod("shop", "done", "10.0.0.2").Status.Phase = "Succeeded";
        c.Pod("shop", "crashed", "10.0.0.3").Status.Phase = "Failed";
        c.Pod("shop", "starting").Status.Phase = "Pending";
        c.Pod("shop", "unscheduled", "10.0.0.4").Spec.NodeName = null;
        c.Pod("shop", "garbled", "not-an-ip");
        var pending = c.Pod("shop", "pending-with-ip", "10.0.0.5");
        pending.Status.Phase = "Pending";

        var (config, skipped) = c.Translate();

        Assert.Equal(["kept", "pending-with-ip"], config.Workloads.Select(w => w.Name));
        Assert.Empty(skipped);
    }

    [Fact]
    public void A_dual_stack_pod_has_both_addresses_once()
    {
        var c = new ClusterBuilder();
        c.Pod("shop", "web-0", "10.0.0.1", "fd00::1");

        var (config, _) = c.Translate();

        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("fd00::1")], config.Workloads.Single().Addresses);
    }

    [Fact]
    public void An_address_claimed_by_two_pods_goes_to_the_newer_and_the_older_is_reported()
    {
        var c = new ClusterBuilder();
        c.Pod("shop", "old", "10.0.0.1", "fd00::1");
        c.Pod("shop", "new", "10.0.0.1");

        foreach (var reversed in new[] { false, true })
        {
            var (config, skipped) = c.Translate(reversed);

            Assert.Equal(["new"], config.Workloads.Select(w => w.Name));
            var sentence = Assert.Single(skipped);
            Assert.Contains("pod shop/old", sentence, StringComparison.Ordinal);
            Assert.Contains("10.0.0.1", sentence, StringComparison.Ordinal);
            Assert.Contains("shop/new", sentence, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Only_this_nodes_pods_are_asked_for_a_network_namespace()
    {
        var c = new ClusterBuilder();
        c.Pod("shop", "here", "10.0.0.1");
        c.Pod("shop", "there", "10.0.0.2").Spec.NodeName = "node-b";
        c.Pod("shop", "unknown-yet", "10.0.0.3");
        var asked = new List<string>();

        var config = ClusterTranslation.Translate(ClusterBuilder.Settings, c.Snapshot(), pod =>
        {
            asked.Add(pod.Metadata.Name);
            return pod.Metadata.Name == "here" ? "/proc/42/ns/net" : null;
        }, new List<string>());

        Assert.Equal(["here", "unknown-yet"], asked.Order());
        Assert.Equal(["/proc/42/ns/net", null, null], config.Workloads.Select(w => w.Netns));
    }

    [Fact]
    public void Namespaces_carry_their_labels_and_the_settings_are_kept()
    {
        var c = new ClusterBuilder();
        c.Namespace("shop", ("weft.io/mesh", "enabled"));
        c.Namespace("kube-system");
        var settings = ClusterBuilder.Settings with { TrustDomain = "example.org", SourcePath = "/etc/weft/config.yaml" };

        var config = ClusterTranslation.Translate(settings, c.Snapshot(), _ => null, new List<string>());

        Assert.Equal(["kube-system", "shop"], config.Namespaces.Select(n => n.Name));
        Assert.Equal("enabled", config.GetNamespace("shop").Labels["weft.io/mesh"]);
        Assert.Empty(config.GetNamespace("kube-system").Labels);
        Assert.Equal(("node-a", "example.org", "/etc/weft/config.yaml"), (config.Node, config.TrustDomain, config.SourcePath));
    }

    [Fact]
    public void Enrolment_follows_the_namespace_labels_and_the_pods_opt_out()
    {
        var c = new ClusterBuilder();
        c.Namespace("mesh", ("weft.io/mesh", "enabled"));
        c.Namespace("ambient", ("istio.io/dataplane-mode", "ambient"));
        c.Namespace("plain", ("team", "a"));
        c.Pod("mesh", "in", "10.0.0.1");
        c.Pod("mesh", "opted-out", "10.0.0.2").Metadata.Labels["weft.io/mesh"] = "disabled";
        c.Pod("mesh", "elsewhere", "10.0.0.3").Spec.NodeName = "node-b";
        c.Pod("ambient", "ambient-in", "10.0.0.4");
        c.Pod("plain", "outside", "10.0.0.5");
        c.Pod("undeclared", "nowhere", "10.0.0.6");

        var (config, _) = c.Translate();

        Assert.Equal(["ambient-in", "in"], MeshMembership.EnrolledWorkloads(config).Select(w => w.Name).Order());
        var elsewhere = config.Workloads.Single(w => w.Name == "elsewhere");
        Assert.True(MeshMembership.InMesh(config, elsewhere));
    }

    [Fact]
    public void The_same_cluster_in_any_order_gives_the_same_config()
    {
        var c = new ClusterBuilder();
        c.Namespace("b", ("weft.io/mesh", "enabled"));
        c.Namespace("a");
        c.Pod("b", "z", "10.0.0.3", "fd00::3");
        c.Pod("a", "y", "10.0.0.2");
        c.Pod("b", "x", "10.0.0.1");
        c.Pod("b", "w", "10.0.0.1"); // same creation order either way: the tie on address is broken the same
        c.Service("b", "svc-2", "10.96.0.2", ClusterBuilder.Port(80, 8080));
        c.Service("a", "svc-1", "10.96.0.1", ClusterBuilder.Port(80, 8080));
        c.Slice("b", "svc-2-b", "svc-2", [ClusterBuilder.SlicePort(8080)], ClusterBuilder.Endpoint("10.0.0.3"));
        c.Slice("b", "svc-2-a", "svc-2", [ClusterBuilder.SlicePort(8080)], ClusterBuilder.Endpoint("10.0.0.1"));

        var (forward, skippedForward) = c.Translate();
        var (backward, skippedBackward) = c.Translate(reversed: true);

        Assert.Equal(ClusterFingerprint.Of(forward), ClusterFingerprint.Of(backward));
        Assert.Equal(skippedForward, skippedBackward);
        Assert.Equal(["w", "y", "z"], forward.Workloads.Select(w => w.Name));
        Assert.Equal(["svc-1", "svc-2"], forward.Services.Select(s => s.Name));
        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.3")], forward.Services[1].Endpoints!.Select(e => e.Address));
    }
}
