using System.Net;
using Weft.Kubernetes.Model;
using Weft.Workloads;
using static Weft.Kubernetes.Tests.Model.ClusterBuilder;

namespace Weft.Kubernetes.Tests.Model;

/// <summary>
/// What <see cref="ClusterTranslation"/> makes is what the data path resolves with: the real
/// <see cref="ServiceRegistry"/> accepts it and sends a service address to the right pod and port.
/// </summary>
public sealed class ClusterTranslationRegistryTests
{
    [Fact]
    public void A_service_address_resolves_to_its_ready_pods_at_their_own_target_ports()
    {
        var c = new ClusterBuilder();
        var a = c.Pod("shop", "web-a", "10.0.0.1", "fd00::1");
        var b = c.Pod("shop", "web-b", "10.0.0.2", "fd00::2");
        var down = c.Pod("shop", "web-down", "10.0.0.3");
        var web = c.Service("shop", "web", "10.96.0.10", Port(80, "http", "http"));
        web.Spec.ClusterIPs = ["10.96.0.10", "fd00:96::10"];
        c.Slice("shop", "web-1", "web", [SlicePort(8080, "http")], Endpoint(a), Endpoint(down, ready: false));
        c.Slice("shop", "web-2", "web", [SlicePort(9090, "http")], Endpoint(b));
        var v6 = c.Slice("shop", "web-3", "web", [SlicePort(8080, "http")], Endpoint("fd00::1", a));
        v6.AddressType = "IPv6";

        var registry = new ServiceRegistry(c.Translate().Config);

        var v4 = ResolveAll(registry, new IPEndPoint(IPAddress.Parse("10.96.0.10"), 80), 4);
        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:9090"], v4.Distinct().Order());
        // Over IPv6 the pod with an IPv6 endpoint is reached on it; the other across families.
        var v6s = ResolveAll(registry, new IPEndPoint(IPAddress.Parse("fd00:96::10"), 80), 4);
        Assert.Equal(["10.0.0.2:9090", "[fd00::1]:8080"], v6s.Distinct().Order());
    }

    [Fact]
    public void A_service_without_ready_pods_or_an_unknown_port_is_refused_and_a_pod_address_is_the_pod()
    {
        var c = new ClusterBuilder();
        var pod = c.Pod("shop", "web-0", "10.0.0.1");
        c.Service("shop", "web", "10.96.0.10", Port(80, 8080));
        c.Slice("shop", "web-1", "web", [SlicePort(8080)], Endpoint(pod, ready: false));

        var registry = new ServiceRegistry(c.Translate().Config);

        Assert.False(registry.TryResolve(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 80), out var none));
        Assert.Equal(ResolveOutcome.NoEndpoints, none.Outcome);
        Assert.False(registry.TryResolve(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 81), out var port));
        Assert.Equal(ResolveOutcome.UnknownServicePort, port.Outcome);
        Assert.True(registry.TryResolve(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 8080), out var direct));
        Assert.Equal((ResolveOutcome.Workload, "web-0"), (direct.Outcome, direct.Workload!.Name));
    }

    [Fact]
    public void A_cluster_with_every_kind_of_conflict_still_builds_a_registry()
    {
        var c = new ClusterBuilder();
        c.Namespace("shop", ("weft.io/mesh", "enabled"));
        var old = c.Pod("shop", "old", "10.0.0.1");
        var current = c.Pod("shop", "new", "10.0.0.1", "fd00::1");
        c.Pod("shop", "dup", "10.0.0.2", "10.0.0.2").Status.PodIP = "10.0.0.2";
        c.Service("shop", "clash", "10.0.0.2", Port(80));
        var web = c.Service("shop", "web", "10.96.0.10", Port(80, 8080));
        web.Spec.ClusterIPs = ["10.96.0.10", "10.96.0.10"];
        c.Service("shop", "web-again", "10.96.0.10", Port(80, 8080));
        // The same pod in two slices (the controller moving it), and the loser of the address by reference.
        c.Slice("shop", "web-1", "web", [SlicePort(8080)], Endpoint(current), Endpoint(old));
        c.Slice("shop", "web-2", "web", [SlicePort(8080)], Endpoint(current));
        var (config, skipped) = c.Translate();

        var registry = new ServiceRegistry(config);

        Assert.Equal(4, skipped.Count);
        var picked = ResolveAll(registry, new IPEndPoint(IPAddress.Parse("10.96.0.10"), 80), 3);
        Assert.Equal(["10.0.0.1:8080"], picked.Distinct());
        Assert.Equal("new", registry.FindWorkloadByAddress(IPAddress.Parse("10.0.0.1"))!.Name);
    }

    private static List<string> ResolveAll(ServiceRegistry registry, IPEndPoint destination, int times)
    {
        var picked = new List<string>();
        for (var i = 0; i < times; i++)
        {
            Assert.True(registry.TryResolve(destination, out var resolved), $"{destination} did not resolve: {resolved.Outcome}");
            Assert.Equal(ResolveOutcome.ServiceEndpoint, resolved.Outcome);
            picked.Add(resolved.Endpoint!.ToString());
        }

        return picked;
    }
}
