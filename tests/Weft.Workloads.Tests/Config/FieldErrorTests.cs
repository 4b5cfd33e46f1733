namespace Weft.Workloads.Tests;

/// <summary>Unknown, missing and wrongly typed fields.</summary>
public sealed class FieldErrorTests
{
    private const string Workload = """
        node: node-a
        workloads:
          - uid: shop/web-1
            name: web-1
            namespace: shop
            addresses: [10.77.0.2]
            netns: /var/run/netns/web-1
            node: node-a
        """;

    [Fact]
    public void Unknown_field_suggests_the_closest_known_one()
    {
        var e = ConfigAssert.Fails(Workload.Replace("namespace: shop", "namspace: shop", StringComparison.Ordinal),
            line: 5, column: 5, field: "workloads[0].namspace");

        Assert.Equal("config.yaml:5:5: workloads[0].namspace: unknown field \"namspace\"; did you mean \"namespace\"?", e.Message);
    }

    [Theory]
    [InlineData("trust_domain: x", "trustDomain")]
    [InlineData("trustdomain: x", "trustDomain")]
    [InlineData("cgroup-root: /x", "cgroupRoot")]
    [InlineData("workload: []", "workloads")]
    [InlineData("namepsaces: []", "namespaces")]
    public void Unknown_root_field_suggestions(string line, string suggestion)
    {
        var e = ConfigAssert.Fails($"node: node-a\n{line}\n", line: 2, column: 1, field: line[..line.IndexOf(':', StringComparison.Ordinal)]);

        Assert.EndsWith($"; did you mean \"{suggestion}\"?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_field_without_a_likely_match_lists_the_known_ones()
    {
        var e = ConfigAssert.Fails("node: node-a\ncapture:\n  colour: blue\n", line: 3, column: 3, field: "capture.colour");

        Assert.Equal("unknown field \"colour\"; known fields are excludePorts, excludeCidrs", e.Detail);
    }

    [Fact]
    public void Missing_node()
    {
        var e = ConfigAssert.Fails("trustDomain: cluster.local\nworkloads: []\n", line: 1, column: 1, field: "node");

        Assert.Equal("config.yaml:1:1: node: missing required field \"node\"", e.Message);
    }

    [Theory]
    [InlineData("uid")]
    [InlineData("name")]
    [InlineData("namespace")]
    [InlineData("addresses")]
    [InlineData("netns")]
    [InlineData("node")]
    public void Missing_workload_field_points_at_the_workload(string field)
    {
        var text = ItemWithout("workloads", field,
            ["uid: shop/web-1", "name: web-1", "namespace: shop", "addresses: [10.77.0.2]", "netns: /var/run/netns/web-1", "node: node-a"]);

        var e = ConfigAssert.Fails(text, line: 3, column: 5, field: $"workloads[0].{field}");

        Assert.Equal($"missing required field \"{field}\"", e.Detail);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("namespace")]
    [InlineData("addresses")]
    [InlineData("ports")]
    public void Missing_service_field_points_at_the_service(string field)
    {
        var text = ItemWithout("services", field,
            ["name: web", "namespace: shop", "addresses: [10.96.0.10]", "ports: { 80: 8080 }"]);

        var e = ConfigAssert.Fails(text, line: 3, column: 5, field: $"services[0].{field}");

        Assert.Equal($"missing required field \"{field}\"", e.Detail);
    }

    [Fact]
    public void Missing_namespace_name()
    {
        ConfigAssert.Fails("node: node-a\nnamespaces:\n  - labels: { a: b }\n", line: 3, column: 5, field: "namespaces[0].name");
    }

    [Fact]
    public void Workloads_of_other_nodes_need_no_netns()
    {
        var config = LocalConfigLoader.Parse(
            """
            node: node-a
            workloads:
              - uid: shop/web-1
                name: web-1
                namespace: shop
                addresses: [10.77.0.2]
                node: node-b
            """,
            "config.yaml");

        var w = Assert.Single(config.Workloads);
        Assert.Equal("node-b", w.Node);
        Assert.Null(w.Netns);
    }

    [Fact]
    public void Required_field_without_a_value_points_at_the_field()
    {
        var e = ConfigAssert.Fails(Workload.Replace("netns: /var/run/netns/web-1", "netns:", StringComparison.Ordinal),
            line: 7, column: 5, field: "workloads[0].netns");

        Assert.Equal("required field \"netns\" has no value", e.Detail);
    }

    [Fact]
    public void Empty_quoted_string_is_rejected()
    {
        var e = ConfigAssert.Fails(Workload.Replace("uid: shop/web-1", "uid: \"\"", StringComparison.Ordinal),
            line: 3, column: 10, field: "workloads[0].uid");

        Assert.Equal("must not be empty", e.Detail);
    }

    [Fact]
    public void Scalar_where_a_list_is_expected()
    {
        var e = ConfigAssert.Fails(Workload.Replace("[10.77.0.2]", "10.77.0.2", StringComparison.Ordinal),
            line: 6, column: 16, field: "workloads[0].addresses");

        Assert.Equal("expected a list, found \"10.77.0.2\" (write [10.77.0.2])", e.Detail);
    }

    [Fact]
    public void Mapping_where_a_list_is_expected()
    {
        var e = ConfigAssert.Fails("node: node-a\nworkloads:\n  uid: a\n", line: 3, column: 3, field: "workloads");

        Assert.Equal("expected a list, found a mapping", e.Detail);
    }

    [Fact]
    public void List_where_a_value_is_expected()
    {
        var e = ConfigAssert.Fails(Workload.Replace("name: web-1", "name: [web-1]", StringComparison.Ordinal),
            line: 4, column: 11, field: "workloads[0].name");

        Assert.Equal("expected a single value, found a list", e.Detail);
    }

    [Fact]
    public void List_where_labels_are_expected()
    {
        var e = ConfigAssert.Fails("node: node-a\nnamespaces:\n  - name: shop\n    labels: [weft.io/mesh]\n", line: 4, column: 13, field: "namespaces[0].labels");

        Assert.Equal("expected a mapping of label names to values, found a list", e.Detail);
    }

    [Fact]
    public void Label_value_must_be_a_single_value()
    {
        ConfigAssert.Fails("node: node-a\nnamespaces:\n  - name: shop\n    labels: { app: [a, b] }\n", line: 4, column: 20, field: "namespaces[0].labels[app]");
    }

    [Fact]
    public void List_where_ports_are_expected()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            services:
              - name: web
                namespace: shop
                addresses: [10.96.0.10]
                ports: [80]
            """, line: 6, column: 12, field: "services[0].ports");

        Assert.Equal("expected a mapping of service port to target port, e.g. {80: 8080}, found a list", e.Detail);
    }

    [Fact]
    public void Root_must_be_a_mapping()
    {
        var e = ConfigAssert.Fails("- node: node-a\n", line: 1, column: 1, field: "");

        Assert.Equal("config.yaml:1:1: expected a mapping, found a list", e.Message);
    }

    [Fact]
    public void Workload_entry_must_be_a_mapping()
    {
        ConfigAssert.Fails("node: node-a\nworkloads:\n  - web-1\n", line: 3, column: 5, field: "workloads[0]");
    }

    /// <summary>A config with one list item (starting at line 3, column 5) lacking one field.</summary>
    private static string ItemWithout(string list, string field, string[] fields) =>
        $"node: node-a\n{list}:\n  - " + string.Join("\n    ", fields.Where(f => !f.StartsWith(field + ":", StringComparison.Ordinal))) + "\n";
}
