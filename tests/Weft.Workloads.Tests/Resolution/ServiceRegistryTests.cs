using System.Net;

namespace Weft.Workloads.Tests;

public sealed class ServiceRegistryTests
{
    private static readonly Workload Web1 = Build.Workload("web-1", addresses: "10.0.0.1, fd00::1", labels: "app=web");
    private static readonly Workload Web2 = Build.Workload("web-2", node: "node-b", addresses: "10.0.0.2", labels: "app=web,track=canary");
    private static readonly Workload Db = Build.Workload("db", addresses: "10.0.0.3", labels: "app=db");
    private static readonly Workload OtherNamespace = Build.Workload("web-x", ns: "other", addresses: "10.0.0.4", labels: "app=web");

    private readonly ServiceRegistry registry = new(new LocalConfig
    {
        Node = "node-a",
        Workloads = [Web1, Web2, Db, OtherNamespace],
        Services =
        [
            Build.Service("web", "10.96.0.10, fd00:96::10", "app=web"),
            Build.Service("empty", "10.96.0.11", "app=nothing"),
            Build.Service("no-selector", "10.96.0.12", ""),
        ],
    });

    [Fact]
    public void Service_address_round_robins_across_endpoints_on_any_node()
    {
        var picks = Enumerable.Range(0, 4).Select(_ => Resolve("10.96.0.10", 80)).ToArray();

        Assert.All(picks, r => Assert.Equal(ResolveOutcome.ServiceEndpoint, r.Outcome));
        Assert.All(picks, r => Assert.Equal("web", r.Service!.Name));
        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.1:8080", "10.0.0.2:8080"], picks.Select(r => r.Endpoint!.ToString()));
        Assert.Equal([Web1, Web2, Web1, Web2], picks.Select(r => r.Workload));
    }

    [Fact]
    public void Endpoint_address_matches_the_destination_family_when_it_can()
    {
        var first = Resolve("fd00:96::10", 80);
        var second = Resolve("fd00:96::10", 80);

        // web-1 has an IPv6 address; web-2 has only IPv4, so its first address is used.
        Assert.Equal("[fd00::1]:8080", first.Endpoint!.ToString());
        Assert.Equal("10.0.0.2:8080", second.Endpoint!.ToString());
    }

    [Fact]
    public void Ipv4_mapped_destination_resolves_like_ipv4()
    {
        var resolved = Resolve("::ffff:10.96.0.10", 80);

        Assert.Equal(ResolveOutcome.ServiceEndpoint, resolved.Outcome);
        Assert.Equal("10.0.0.1:8080", resolved.Endpoint!.ToString());
        Assert.Same(Db, registry.FindWorkloadByAddress(IPAddress.Parse("::ffff:10.0.0.3")));
    }

    [Fact]
    public void Workload_address_returns_the_workload_and_the_same_endpoint()
    {
        var destination = new IPEndPoint(IPAddress.Parse("10.0.0.3"), 5432);

        Assert.True(registry.TryResolve(destination, out var resolved));

        Assert.Equal(ResolveOutcome.Workload, resolved.Outcome);
        Assert.Same(Db, resolved.Workload);
        Assert.Same(destination, resolved.Endpoint);
        Assert.Null(resolved.Service);
    }

    [Theory]
    [InlineData("10.96.0.11")]
    [InlineData("10.96.0.12")]
    public void Service_without_endpoints_is_a_distinct_refusal(string address)
    {
        Assert.False(registry.TryResolve(new IPEndPoint(IPAddress.Parse(address), 80), out var resolved));

        Assert.Equal(ResolveOutcome.NoEndpoints, resolved.Outcome);
        Assert.NotNull(resolved.Service);
        Assert.Null(resolved.Endpoint);
    }

    [Fact]
    public void Service_port_not_exposed_is_a_distinct_refusal()
    {
        Assert.False(registry.TryResolve(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 443), out var resolved));

        Assert.Equal(ResolveOutcome.UnknownServicePort, resolved.Outcome);
        Assert.Equal("web", resolved.Service!.Name);
    }

    [Fact]
    public void Unknown_address_is_not_found()
    {
        Assert.False(registry.TryResolve(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80), out var resolved));

        Assert.Equal(ResolveOutcome.Unknown, resolved.Outcome);
        Assert.Null(registry.FindWorkloadByAddress(IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void Find_workload_by_address()
    {
        Assert.Same(Web1, registry.FindWorkloadByAddress(IPAddress.Parse("fd00::1")));
        Assert.Null(registry.FindWorkloadByAddress(IPAddress.Parse("10.96.0.10")));
    }

    [Fact]
    public void Selector_only_matches_the_service_namespace()
    {
        var endpoints = Enumerable.Range(0, 10).Select(_ => Resolve("10.96.0.10", 80).Workload).Distinct();

        Assert.DoesNotContain(OtherNamespace, endpoints);
    }

    [Fact]
    public void Concurrent_picks_are_spread_evenly()
    {
        const int PerThread = 10_000;
        var counts = new int[2];

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                registry.TryResolve(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 80), out var r);
                Interlocked.Increment(ref counts[r.Workload == Web1 ? 0 : 1]);
            }
        });

        Assert.Equal(4 * PerThread, counts[0]);
        Assert.Equal(4 * PerThread, counts[1]);
    }

    [Fact]
    public void Resolving_does_not_allocate()
    {
        var service = new IPEndPoint(IPAddress.Parse("fd00:96::10"), 80);
        var workload = new IPEndPoint(IPAddress.Parse("10.0.0.3"), 5432);
        var unknown = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80);
        for (var i = 0; i < 100; i++)
        {
            Touch(service, workload, unknown);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Touch(service, workload, unknown);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Example_config_resolves()
    {
        var example = new ServiceRegistry(ExampleConfig.Parse(ExampleConfig.Text));

        Assert.True(example.TryResolve(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 80), out var resolved));
        Assert.Equal("10.77.0.2:8080", resolved.Endpoint!.ToString());
        Assert.Equal("shop/web-1", resolved.Workload!.ToString());
    }

    [Fact]
    public void Shared_address_in_a_hand_built_config_is_rejected()
    {
        var config = new LocalConfig { Node = "node-a", Workloads = [Web1, Build.Workload("clash", addresses: "10.0.0.1")] };

        Assert.Throws<ArgumentException>(() => new ServiceRegistry(config));
    }

    private void Touch(IPEndPoint service, IPEndPoint workload, IPEndPoint unknown)
    {
        registry.TryResolve(service, out _);
        registry.TryResolve(workload, out _);
        registry.TryResolve(unknown, out _);
    }

    private Resolved Resolve(string address, int port)
    {
        registry.TryResolve(new IPEndPoint(IPAddress.Parse(address), port), out var resolved);
        return resolved;
    }
}
