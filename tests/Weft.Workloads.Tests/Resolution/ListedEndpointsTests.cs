using System.Net;

namespace Weft.Workloads.Tests;

/// <summary>
/// Services whose endpoints are listed (from Kubernetes EndpointSlices) rather than selected: the
/// listed pods serve, on the port listed for each, whatever their labels say.
/// </summary>
public sealed class ListedEndpointsTests
{
    private static readonly Workload Web1 = Build.Workload("web-1", addresses: "10.0.0.1, fd00::1", labels: "app=web");
    private static readonly Workload Web2 = Build.Workload("web-2", node: "node-b", addresses: "10.0.0.2", labels: "app=web");
    private static readonly Workload Unlabelled = Build.Workload("batch", addresses: "10.0.0.3");

    private readonly ServiceRegistry registry = new(new LocalConfig
    {
        Node = "node-a",
        Workloads = [Web1, Web2, Unlabelled],
        Services =
        [
            Build.Service("web", "10.96.0.10, fd00:96::10", "app=web") with
            {
                Ports = new Dictionary<int, int> { [80] = 8080, [443] = 8443 },
                Endpoints =
                [
                    // A named targetPort: web-1 serves "http" on 8080, web-2 on 9090; only web-1 serves 443.
                    new(Web1, IPAddress.Parse("10.0.0.1"), new Dictionary<int, int> { [80] = 8080, [443] = 8443 }),
                    new(Web1, IPAddress.Parse("fd00::1"), new Dictionary<int, int> { [80] = 8080, [443] = 8443 }),
                    new(Web2, IPAddress.Parse("10.0.0.2"), new Dictionary<int, int> { [80] = 9090 }),
                ],
            },
            Build.Service("listed-not-selected", "10.96.0.11", "app=nothing") with
            {
                Endpoints = [new(Unlabelled, IPAddress.Parse("10.0.0.3"), new Dictionary<int, int> { [80] = 7070 })],
            },
            Build.Service("not-ready", "10.96.0.12", "app=web") with { Endpoints = [] },
        ],
    });

    [Fact]
    public void Each_pod_serves_on_the_port_listed_for_it()
    {
        var picks = Enumerable.Range(0, 4).Select(_ => Resolve("10.96.0.10", 80).Endpoint!.ToString()).ToArray();

        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:9090", "10.0.0.1:8080", "10.0.0.2:9090"], picks);
    }

    [Fact]
    public void A_service_port_only_reaches_the_pods_listed_for_it()
    {
        var picks = Enumerable.Range(0, 3).Select(_ => Resolve("10.96.0.10", 443)).ToArray();

        Assert.All(picks, p => Assert.Equal((IPEndPoint.Parse("10.0.0.1:8443"), Web1), (p.Endpoint, p.Workload)));
    }

    [Fact]
    public void A_dual_stack_pod_is_one_endpoint_reached_in_the_callers_family()
    {
        var picks = Enumerable.Range(0, 2).Select(_ => Resolve("fd00:96::10", 80).Endpoint!.ToString()).ToArray();

        // web-1 on its IPv6 address; web-2, listed only with IPv4, still serves.
        Assert.Equal(["[fd00::1]:8080", "10.0.0.2:9090"], picks);
    }

    [Fact]
    public void The_list_wins_over_the_selector()
    {
        Assert.Equal((ResolveOutcome.ServiceEndpoint, Unlabelled), (Resolve("10.96.0.11", 80).Outcome, Resolve("10.96.0.11", 80).Workload));

        // Its selector matches web-1 and web-2, but none is listed (none ready): the service has no endpoints.
        Assert.Equal(ResolveOutcome.NoEndpoints, Resolve("10.96.0.12", 80).Outcome);
    }

    private Resolved Resolve(string address, int port)
    {
        registry.TryResolve(new IPEndPoint(IPAddress.Parse(address), port), out var resolved);
        return resolved;
    }
}
