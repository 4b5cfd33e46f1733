using System.Net;

namespace Weft.Workloads.Tests;

public sealed class ExampleParsingTests
{
    private readonly LocalConfig config = ExampleConfig.Parse(ExampleConfig.Text);

    [Fact]
    public void Node_settings()
    {
        Assert.Equal("node-a", config.Node);
        Assert.Equal("cluster.local", config.TrustDomain);
        Assert.Equal("/sys/fs/cgroup/unified/weft-node-a", config.CgroupRoot);
        Assert.Equal("config.yaml", config.SourcePath);
    }

    [Fact]
    public void Capture_exclusions()
    {
        Assert.Equal([22], config.Capture.ExcludePorts);
        Assert.Equal([IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("fd00::/8")], config.Capture.ExcludeCidrs);
    }

    [Fact]
    public void Namespace_with_labels()
    {
        var ns = Assert.Single(config.Namespaces);
        Assert.Equal("shop", ns.Name);
        Assert.Equal(new Dictionary<string, string> { ["weft.io/mesh"] = "enabled" }, ns.Labels);
    }

    [Fact]
    public void Workload()
    {
        var w = Assert.Single(config.Workloads);
        Assert.Equal("shop/web-1", w.Uid);
        Assert.Equal("web-1", w.Name);
        Assert.Equal("shop", w.Namespace);
        Assert.Equal("web", w.ServiceAccount);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web" }, w.Labels);
        Assert.Equal([IPAddress.Parse("10.77.0.2")], w.Addresses);
        Assert.Equal("/var/run/netns/web-1", w.Netns);
        Assert.Equal("node-a", w.Node);
        Assert.Equal("shop/web-1", w.ToString());
    }

    [Fact]
    public void Service()
    {
        var s = Assert.Single(config.Services);
        Assert.Equal("web", s.Name);
        Assert.Equal("shop", s.Namespace);
        Assert.Equal([IPAddress.Parse("10.96.0.10")], s.Addresses);
        Assert.Equal(new Dictionary<int, int> { [80] = 8080 }, s.Ports);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web" }, s.Selector);
        Assert.True(s.Selects(config.Workloads[0]));
    }

    [Fact]
    public void Defaults_apply_when_optional_fields_are_absent()
    {
        var minimal = ExampleConfig.Parse("""
            node: node-a
            workloads:
              - uid: u1
                name: w1
                namespace: default
                addresses: ["fd00::2", 10.0.0.2]
                netns: /var/run/netns/w1
                node: node-a
            """);

        Assert.Equal(LocalConfig.DefaultTrustDomain, minimal.TrustDomain);
        Assert.Null(minimal.CgroupRoot); // the host's cgroup v2 mount, found by the agent at start
        Assert.Empty(minimal.Capture.ExcludePorts);
        Assert.Empty(minimal.Capture.ExcludeCidrs);
        Assert.Empty(minimal.Namespaces);
        Assert.Empty(minimal.Services);
        var w = Assert.Single(minimal.Workloads);
        Assert.Equal("default", w.ServiceAccount);
        Assert.Empty(w.Labels);
        Assert.Equal([IPAddress.Parse("fd00::2"), IPAddress.Parse("10.0.0.2")], w.Addresses);
    }

    [Theory]
    [InlineData("node: n\nworkloads: []\nservices: []\nnamespaces: []\ncapture: {}\n")]
    [InlineData("node: n\nworkloads:\nservices: ~\nnamespaces: null\ncapture:\n")]
    [InlineData("node: n\ncapture: { excludePorts: [], excludeCidrs: }\n")]
    public void Empty_or_missing_optional_lists_are_fine(string text)
    {
        var parsed = ExampleConfig.Parse(text);

        Assert.Empty(parsed.Workloads);
        Assert.Empty(parsed.Services);
        Assert.Empty(parsed.Namespaces);
        Assert.Empty(parsed.Capture.ExcludePorts);
    }

    [Fact]
    public void Undeclared_namespace_is_a_namespace_without_labels()
    {
        var parsed = ExampleConfig.Parse(ExampleConfig.Text.Replace("namespace: shop", "namespace: other", StringComparison.Ordinal));

        Assert.Equal("other", parsed.Workloads[0].Namespace);
        var ns = parsed.GetNamespace("other");
        Assert.Equal("other", ns.Name);
        Assert.Empty(ns.Labels);
    }

    [Fact]
    public void Empty_label_values_are_allowed()
    {
        var parsed = ExampleConfig.Parse(ExampleConfig.Text.Replace("{ app: web }\n    addresses", "{ app: web, canary: }\n    addresses", StringComparison.Ordinal));

        Assert.Equal("", parsed.Workloads[0].Labels["canary"]);
    }

    [Fact]
    public void Load_reads_a_file_and_keeps_its_path()
    {
        using var file = new TempConfigFile(ExampleConfig.Text);

        var loaded = LocalConfigLoader.Load(file.Path);

        Assert.Equal(file.Path, loaded.SourcePath);
        Assert.Equal("node-a", loaded.Node);
    }
}
