using Weft.Workloads;

namespace Weft.Workloads.Tests.Config;

/// <summary>
/// In Kubernetes mode the file is the ConfigMap every node shares: settings and policies only; the
/// node comes from NODE_NAME and the cluster's contents from the API server.
/// </summary>
public sealed class KubernetesModeTests
{
    private static readonly ConfigMode NodeA = ConfigMode.Kubernetes("node-a");

    [Fact]
    public void The_settings_file_takes_the_node_from_the_mode_and_keeps_its_settings_and_policies()
    {
        var config = LocalConfigLoader.Parse("""
            trustDomain: example.org
            identity:
              istioCa: { address: "https://istiod.istio-system.svc:15012", tokenFile: /var/run/secrets/tokens/istio-token }
            telemetry:
              accessLog: { format: json }
            policies:
              - name: deny-legacy
                namespace: shop
                action: DENY
                rules: [{ from: [{ namespaces: [legacy] }] }]
            """, "weft.yaml", NodeA);

        Assert.Equal("node-a", config.Node);
        Assert.Equal("example.org", config.TrustDomain);
        Assert.Equal("shop/deny-legacy", $"{config.Policies[0].Namespace}/{config.Policies[0].Name}");
        Assert.Empty(config.Workloads);
        Assert.Null(config.CgroupRoot);
    }

    [Theory]
    [InlineData("node: node-a", "node", "NODE_NAME")]
    [InlineData("namespaces: [{ name: shop }]", "namespaces", "come from the Kubernetes API server")]
    [InlineData("workloads: []", "workloads", "come from the Kubernetes API server")]
    [InlineData("services: []", "services", "come from the Kubernetes API server")]
    public void Sections_that_describe_the_cluster_are_refused_not_ignored(string line, string field, string reason)
    {
        var e = ConfigAssert.Fails($"trustDomain: cluster.local\n{line}\n", line: 2, column: line.IndexOf(':', StringComparison.Ordinal) + 3, field: field, mode: NodeA);
        Assert.Contains(reason, e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Standalone_still_requires_the_node()
    {
        var e = ConfigAssert.Fails("trustDomain: cluster.local\n", line: 1, column: 1, field: "node");
        Assert.Contains("node", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Node_A")]
    public void A_node_name_that_kubernetes_would_not_give_is_refused(string node) =>
        Assert.ThrowsAny<ArgumentException>(() => ConfigMode.Kubernetes(node));
}
