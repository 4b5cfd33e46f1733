using System.Net;
using Weft.Kubernetes.Model;
using Weft.Workloads;
using static Weft.Kubernetes.Tests.Model.ClusterBuilder;

namespace Weft.Kubernetes.Tests.Model;

/// <summary>Services and their EndpointSlices through <see cref="ClusterTranslation"/>.</summary>
public sealed class ClusterTranslationServiceTests
{
    [Fact]
    public void A_cluster_ip_service_has_its_addresses_ports_and_selector()
    {
        var c = new ClusterBuilder();
        var web = c.Service("shop", "web", "10.96.0.10", Port(80, 8080), Port(443, name: "https"));
        web.Spec.ClusterIPs = ["10.96.0.10", "fd00:96::10"];

        var service = Assert.Single(c.Translate().Config.Services);

        Assert.Equal(("shop", "web"), (service.Namespace, service.Name));
        Assert.Equal([IPAddress.Parse("10.96.0.10"), IPAddress.Parse("fd00:96::10")], service.Addresses);
        // No targetPort: the pod serves the service's own port.
        Assert.Equal(new Dictionary<int, int> { [80] = 8080, [443] = 443 }, service.Ports);
        Assert.Equal("web", service.Selector["app"]);
        Assert.Empty(service.Endpoints!);
    }

    [Fact]
    public void Services_without_an_address_of_their_own_or_a_tcp_port_are_left_out()
    {
        var c = new ClusterBuilder();
        c.Service("shop", "kept", "10.96.0.1", Port(80));
        var headless = c.Service("shop", "headless", "None", Port(80));
        headless.Spec.ClusterIPs = ["None"];
        var external = c.Service("shop", "external", "10.96.0.2", Port(80));
        external.Spec.Type = "ExternalName";
        external.Spec.ExternalName = "db.example.org";
        c.Service("shop", "udp-only", "10.96.0.3", Port(53, 5353, "dns", "UDP"));
        c.Service("shop", "sctp-only", "10.96.0.4", Port(9000, protocol: "SCTP"));
        var noAddress = c.Service("shop", "no-address", "", Port(80));
        noAddress.Spec.ClusterIPs = null;
        c.Service("shop", "no-ports", "10.96.0.5");

        var (config, skipped) = c.Translate();

        Assert.Equal(["kept"], config.Services.Select(s => s.Name));
        Assert.Empty(skipped);
    }

    [Fact]
    public void A_service_with_tcp_and_udp_ports_keeps_the_tcp_ones()
    {
        var c = new ClusterBuilder();
        var dns = c.Pod("kube-system", "dns-0", "10.0.0.53");
        c.Service("kube-system", "dns", "10.96.0.53", Port(53, 5353, "dns", "UDP"), Port(53, 5353, "dns-tcp"), Port(9153, name: "metrics"));
        c.Slice("kube-system", "dns-abc", "dns", [SlicePort(5353, "dns", "UDP"), SlicePort(5354, "dns-tcp"), SlicePort(9153, "metrics")], Endpoint(dns));

        var service = Assert.Single(c.Translate().Config.Services);

        Assert.Equal(new Dictionary<int, int> { [53] = 5353, [9153] = 9153 }, service.Ports);
        var endpoint = Assert.Single(service.Endpoints!);
        Assert.Equal(new Dictionary<int, int> { [53] = 5354, [9153] = 9153 }, endpoint.Ports);
    }

    [Fact]
    public void A_named_target_port_resolves_per_pod_through_the_slice_port_of_the_same_name()
    {
        var c = new ClusterBuilder();
        var a = c.Pod("shop", "web-a", "10.0.0.1");
        var b = c.Pod("shop", "web-b", "10.0.0.2");
        c.Service("shop", "web", "10.96.0.10", Port(80, "http", "http"));
        // The controller writes one slice per distinct port set: pods serving "http" on different ports land in different slices.
        c.Slice("shop", "web-1", "web", [SlicePort(8080, "http")], Endpoint(a));
        c.Slice("shop", "web-2", "web", [SlicePort(9090, "http")], Endpoint(b));

        var service = Assert.Single(c.Translate().Config.Services);

        Assert.Equal(
            [("web-a", IPAddress.Parse("10.0.0.1"), 8080), ("web-b", IPAddress.Parse("10.0.0.2"), 9090)],
            service.Endpoints!.Select(e => (e.Workload.Name, e.Address, e.Ports[80])));
        Assert.All(service.Endpoints!, e => Assert.Single(e.Ports));
    }

    [Fact]
    public void A_slice_port_of_another_name_serves_no_service_port()
    {
        var c = new ClusterBuilder();
        var a = c.Pod("shop", "web-a", "10.0.0.1");
        var b = c.Pod("shop", "web-b", "10.0.0.2");
        c.Service("shop", "web", "10.96.0.10", Port(80, 8080));
        c.Slice("shop", "web-1", "web", [SlicePort(8080)], Endpoint(a));
        c.Slice("shop", "web-2", "web", [SlicePort(8080, "other")], Endpoint(b));

        var service = Assert.Single(c.Translate().Config.Services);

        var endpoint = Assert.Single(service.Endpoints!);
        Assert.Equal(("web-a", 8080), (endpoint.Workload.Name, endpoint.Ports[80]));
    }

    [Fact]
    public void Endpoints_not_ready_are_left_out_and_ready_unset_counts_as_ready()
    {
        var c = new ClusterBuilder();
        var ready = c.Pod("shop", "ready", "10.0.0.1");
        var unset = c.Pod("shop", "unset", "10.0.0.2");
        var notReady = c.Pod("shop", "not-ready", "10.0.0.3");
        var noConditions = c.Pod("shop", "no-conditions", "10.0.0.4");
        c.Service("shop", "web", "10.96.0.10", Port(80, 8080));
        var withoutConditions = Endpoint(noConditions);
        withoutConditions.Conditions = null;
        c.Slice("shop", "web-1", "web", [SlicePort(8080)], Endpoint(ready), Endpoint(unset, ready: null), Endpoint(notReady, ready: false), withoutConditions);

        var (config, skipped) = c.Translate();

        Assert.Equal(["ready", "unset", "no-conditions"], config.Services.Single().Endpoints!.Select(e => e.Workload.Name));
        Assert.Empty(skipped);
    }

    [Fact]
    public void Fqdn_slices_and_slices_of_no_or_another_service_are_ignored()
    {
        var c = new ClusterBuilder();
        var pod = c.Pod("shop", "web-0", "10.0.0.1");
        c.Service("shop", "web", "10.96.0.10", Port(80, 8080));
        c.Slice("shop", "web-fqdn", "web", [SlicePort(8080)], Endpoint("web.example.org")).AddressType = "FQDN";
        c.Slice("shop", "unlabelled", "web", [SlicePort(8080)], Endpoint(pod)).Metadata.Labels.Clear();
        c.Slice("shop", "other", "other", [SlicePort(8080)], Endpoint(pod));
        c.Slice("billing", "web-1", "web", [SlicePort(8080)], Endpoint(pod));

        var (config, skipped) = c.Translate();

        Assert.Empty(config.Services.Single().Endpoints!);
        Assert.Empty(skipped);
    }

    [Fact]
    public void An_endpoint_is_its_target_pod_or_else_the_pod_with_its_address()
    {
        var c = new ClusterBuilder();
        var byRef = c.Pod("shop", "by-ref", "10.0.0.1", "fd00::1");
        c.Pod("shop", "by-address", "10.0.0.2");
        c.Service("shop", "web", "10.96.0.10", Port(80, 8080));
        var v6 = c.Slice("shop", "web-v6", "web", [SlicePort(8080)], Endpoint("fd00::1", byRef));
        v6.AddressType = "IPv6";
        c.Slice("shop", "web-v4", "web", [SlicePort(8080)], Endpoint(byRef), Endpoint("10.0.0.2"));

        var (config, skipped) = c.Translate();

        Assert.Equal(
            [("by-ref", IPAddress.Parse("10.0.0.1")), ("by-address", IPAddress.Parse("10.0.0.2")), ("by-ref", IPAddress.Parse("fd00::1"))],
            config.Services.Single().Endpoints!.Select(e => (e.Workload.Name, e.Address)));
        Assert.Same(config.Workloads.Single(w => w.Name == "by-ref"), config.Services.Single().Endpoints![0].Workload);
        Assert.Empty(skipped);
    }

    [Fact]
    public void Endpoints_that_are_no_pod_the_agent_knows_are_counted_and_left_out()
    {
        var c = new ClusterBuilder();
        var known = c.Pod("shop", "web-0", "10.0.0.1");
        var host = c.Pod("shop", "host", "192.168.1.10");
        host.Spec.HostNetwork = true;
        c.Service("shop", "web", "10.96.0.10", Port(80, 8080));
        c.Slice("shop", "web-1", "web", [SlicePort(8080)], Endpoint(known), Endpoint("10.0.9.9"), Endpoint(host));

        var (config, skipped) = c.Translate();

        Assert.Equal(["web-0"], config.Services.Single().Endpoints!.Select(e => e.Workload.Name));
        var sentence = Assert.Single(skipped);
        Assert.StartsWith("service shop/web: 2 endpoint address(es)", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_naming_a_pod_the_agent_does_not_know_is_not_given_to_the_pod_now_at_its_address()
    {
        // The slice still lists a finished pod (the controller lags); its address already belongs to a new pod
        // that is no endpoint of this service. Traffic for the service must not go there.
        var c = new ClusterBuilder();
        var finished = c.Pod("shop", "web-old", "10.0.0.1");
        finished.Status.Phase = "Succeeded";
        c.Pod("billing", "stranger", "10.0.0.1");
        c.Service("shop", "web", "10.96.0.10", Port(80, 8080));
        c.Slice("shop", "web-1", "web", [SlicePort(8080)], Endpoint(finished));

        var (config, skipped) = c.Translate();

        Assert.Empty(config.Services.Single().Endpoints!);
        Assert.Contains(skipped, s => s.StartsWith("service shop/web: 1 endpoint address(es)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_service_address_that_is_a_pods_is_left_out_and_reported()
    {
        var c = new ClusterBuilder();
        c.Pod("shop", "web-0", "10.0.0.1");
        c.Service("shop", "clash", "10.0.0.1", Port(80));
        c.Service("shop", "first", "10.96.0.1", Port(80));
        var second = c.Service("shop", "second", "10.96.0.2", Port(80));
        second.Spec.ClusterIPs = ["10.96.0.2", "10.96.0.1"];

        var (config, skipped) = c.Translate();

        Assert.Equal(["first"], config.Services.Select(s => s.Name));
        Assert.Equal(2, skipped.Count);
        Assert.Contains(skipped, s => s.StartsWith("service shop/clash: address 10.0.0.1", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.StartsWith("service shop/second: address 10.96.0.1", StringComparison.Ordinal));
    }
}
