namespace Weft.Workloads.Tests;

/// <summary>Well-formed YAML with values that are not addresses, networks, ports, paths or names.</summary>
public sealed class ValueErrorTests
{
    [Fact]
    public void Bad_address_names_file_line_column_and_field()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            workloads:
              - uid: shop/web-1
                name: web-1
                namespace: shop
                addresses: [10.77.0.2]
                netns: /var/run/netns/web-1
                node: node-a
              - uid: shop/web-2
                name: web-2
                namespace: shop
                netns: /var/run/netns/web-2
                addresses:
                - 10.77.0.x
                node: node-a
            """, line: 14, column: 7, field: "workloads[1].addresses[0]");

        Assert.Equal("config.yaml:14:7: workloads[1].addresses[0]: \"10.77.0.x\" is not an IP address", e.Message);
    }

    [Theory]
    [InlineData("010.1.1.1")]
    [InlineData("10.1")]
    [InlineData("10.0.0.256")]
    [InlineData("10.0.0.1/32")]
    [InlineData("[fd00::1]")]
    [InlineData("fe80::1%eth0")]
    [InlineData("fd00::g")]
    [InlineData("web-1")]
    public void Not_an_address(string address)
    {
        var e = ConfigAssert.Fails(Service(addresses: $"[\"{address}\"]"), line: 5, column: 17, field: "services[0].addresses[0]");

        Assert.Equal($"\"{address}\" is not an IP address", e.Detail);
    }

    [Theory]
    [InlineData("0.0.0.0", "is the unspecified address")]
    [InlineData("::", "is the unspecified address")]
    [InlineData("224.0.0.1", "is a multicast address")]
    [InlineData("ff02::1", "is a multicast address")]
    [InlineData("255.255.255.255", "is the broadcast address")]
    [InlineData("::ffff:10.0.0.1", "is an IPv4-mapped IPv6 address; write it as 10.0.0.1")]
    public void Unusable_address(string address, string why)
    {
        var e = ConfigAssert.Fails(Service(addresses: $"[\"{address}\"]"), line: 5, column: 17, field: "services[0].addresses[0]");

        Assert.Equal($"{address} {why}", e.Detail);
    }

    [Fact]
    public void Empty_address_list()
    {
        var e = ConfigAssert.Fails(Service(addresses: "[]"), line: 5, column: 16, field: "services[0].addresses");

        Assert.Equal("needs at least one address", e.Detail);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "\"10.0.0.0/33\" is not a CIDR: the prefix length must be 0-32")]
    [InlineData("fd00::/129", "\"fd00::/129\" is not a CIDR: the prefix length must be 0-128")]
    [InlineData("10.0.0.0/", "\"10.0.0.0/\" is not a CIDR: the prefix length must be 0-32")]
    [InlineData("10.0.0.0", "\"10.0.0.0\" is not a CIDR: expected address/prefix, e.g. 10.0.0.0/32")]
    [InlineData("10.0.0.x/8", "\"10.0.0.x/8\" is not a CIDR: \"10.0.0.x\" is not an IP address")]
    [InlineData("10.1.2.3/8", "\"10.1.2.3/8\" has bits set past the /8 prefix; did you mean 10.0.0.0/8?")]
    [InlineData("fd00::1/8", "\"fd00::1/8\" has bits set past the /8 prefix; did you mean fd00::/8?")]
    public void Bad_cidr(string cidr, string detail)
    {
        var e = ConfigAssert.Fails($"node: node-a\ncapture:\n  excludeCidrs:\n    - 169.254.0.0/16\n    - \"{cidr}\"\n",
            line: 5, column: 7, field: "capture.excludeCidrs[1]");

        Assert.Equal(detail, e.Detail);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("ssh")]
    [InlineData("22.5")]
    [InlineData("022")]
    public void Bad_excluded_port(string port)
    {
        var e = ConfigAssert.Fails($"node: node-a\ncapture:\n  excludePorts: [22, {port}]\n", line: 3, column: 22, field: "capture.excludePorts[1]");

        Assert.Equal($"\"{port}\" is not a port (1-65535)", e.Detail);
    }

    [Fact]
    public void Bad_service_port()
    {
        ConfigAssert.Fails(Service(ports: "{ 80: 8080, 0: 8081 }"), line: 6, column: 24, field: "services[0].ports[0]");
    }

    [Fact]
    public void Bad_target_port()
    {
        var e = ConfigAssert.Fails(Service(ports: "{ 80: 70000 }"), line: 6, column: 18, field: "services[0].ports[80]");

        Assert.Equal("\"70000\" is not a port (1-65535)", e.Detail);
    }

    [Fact]
    public void Empty_ports()
    {
        var e = ConfigAssert.Fails(Service(ports: "{}"), line: 6, column: 12, field: "services[0].ports");

        Assert.Equal("needs at least one port", e.Detail);
    }

    [Fact]
    public void Relative_netns()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            workloads:
              - uid: a
                name: a
                namespace: shop
                addresses: [10.0.0.1]
                netns: var/run/netns/a
                node: node-a
            """, line: 7, column: 12, field: "workloads[0].netns");

        Assert.Equal("\"var/run/netns/a\" is not an absolute path", e.Detail);
    }

    [Fact]
    public void Relative_cgroup_root()
    {
        var e = ConfigAssert.Fails("node: node-a\ncgroupRoot: sys/fs/cgroup\n", line: 2, column: 13, field: "cgroupRoot");

        Assert.Equal("config.yaml:2:13: cgroupRoot: \"sys/fs/cgroup\" is not an absolute path", e.Message);
    }

    [Theory]
    [InlineData("node: Node-A", 1, 7, "node")]
    [InlineData("node: ../../etc", 1, 7, "node")]
    [InlineData("trustDomain: cluster/local", 2, 14, "trustDomain")]
    public void Bad_node_names(string line, int lineNumber, int column, string field)
    {
        var text = line.StartsWith("node:", StringComparison.Ordinal) ? line + "\n" : "node: node-a\n" + line + "\n";

        ConfigAssert.Fails(text, lineNumber, column, field);
    }

    [Fact]
    public void Bad_namespace_name()
    {
        var e = ConfigAssert.Fails(Service(ns: "Shop"), line: 4, column: 16, field: "services[0].namespace");

        Assert.StartsWith("\"Shop\" is not a valid name", e.Detail, StringComparison.Ordinal);
    }

    private static string Service(string addresses = "[10.96.0.10]", string ports = "{ 80: 8080 }", string ns = "shop") => $"""
        node: node-a
        services:
          - name: web
            namespace: {ns}
            addresses: {addresses}
            ports: {ports}
        """;
}
