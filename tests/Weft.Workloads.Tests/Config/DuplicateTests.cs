namespace Weft.Workloads.Tests;

/// <summary>Things that must be unique across the file; errors point at the second and name the first.</summary>
public sealed class DuplicateTests
{
    [Fact]
    public void Duplicate_workload_uid()
    {
        var e = ConfigAssert.Fails(Workloads(("shop/web-1", "web-1", "10.0.0.1"), ("shop/web-1", "web-2", "10.0.0.2")),
            line: 10, column: 10, field: "workloads[1].uid");

        Assert.Equal("duplicate uid \"shop/web-1\" (first at line 3)", e.Detail);
    }

    [Fact]
    public void Duplicate_workload_name_in_a_namespace()
    {
        var e = ConfigAssert.Fails(Workloads(("u1", "web-1", "10.0.0.1"), ("u2", "web-1", "10.0.0.2")),
            line: 11, column: 11, field: "workloads[1].name");

        Assert.Equal("another workload is already named shop/web-1 (first at line 4)", e.Detail);
    }

    [Fact]
    public void Address_shared_between_workloads()
    {
        var e = ConfigAssert.Fails(Workloads(("u1", "web-1", "10.0.0.1"), ("u2", "web-2", "10.0.0.1")),
            line: 14, column: 17, field: "workloads[1].addresses[0]");

        Assert.Equal("config.yaml:14:17: workloads[1].addresses[0]: 10.0.0.1 is already an address of workload u1 (line 7)", e.Message);
    }

    [Fact]
    public void Address_listed_twice_in_one_workload()
    {
        var e = ConfigAssert.Fails(Workloads(("u1", "web-1", "10.0.0.1, 10.0.0.1")),
            line: 7, column: 27, field: "workloads[0].addresses[1]");

        Assert.Equal("10.0.0.1 is already an address of workload u1 (line 7)", e.Detail);
    }

    [Fact]
    public void Service_address_that_is_a_workload_address()
    {
        var text = Workloads(("u1", "web-1", "10.0.0.1")) + """
            services:
              - name: web
                namespace: shop
                addresses: [10.0.0.1]
                ports: { 80: 8080 }
            """;

        var e = ConfigAssert.Fails(text, line: 13, column: 17, field: "services[0].addresses[0]");

        Assert.Equal("10.0.0.1 is already an address of workload u1 (line 7)", e.Detail);
    }

    [Fact]
    public void Duplicate_service()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            services:
              - name: web
                namespace: shop
                addresses: [10.96.0.10]
                ports: { 80: 8080 }
              - name: web
                namespace: shop
                addresses: [10.96.0.11]
                ports: { 80: 8080 }
            """, line: 7, column: 11, field: "services[1].name");

        Assert.Equal("another service is already named shop/web (first at line 3)", e.Detail);
    }

    [Fact]
    public void Duplicate_namespace()
    {
        var e = ConfigAssert.Fails("node: node-a\nnamespaces:\n  - name: shop\n  - name: shop\n", line: 4, column: 11, field: "namespaces[1].name");

        Assert.Equal("namespace \"shop\" is declared twice (first at line 3)", e.Detail);
    }

    [Fact]
    public void Same_name_in_different_namespaces_is_fine()
    {
        var text = Workloads(("u1", "web-1", "10.0.0.1")) + Workloads(("u2", "web-1", "10.0.0.2"))
            .Replace("node: node-a\nworkloads:\n", "", StringComparison.Ordinal)
            .Replace("namespace: shop", "namespace: other", StringComparison.Ordinal);

        var parsed = ExampleConfig.Parse(text);

        Assert.Equal(2, parsed.Workloads.Count);
    }

    /// <summary>Workloads of namespace shop, seven lines each from line 3 (addresses on the fifth).</summary>
    private static string Workloads(params (string Uid, string Name, string Addresses)[] workloads) =>
        "node: node-a\nworkloads:\n" + string.Concat(workloads.Select(w => $"""
              - uid: {w.Uid}
                name: {w.Name}
                namespace: shop
                serviceAccount: web
                addresses: [{w.Addresses}]
                netns: /var/run/netns/{w.Name}
                node: node-a

            """));
}
