using System.Net;
using Weft.Policy;

namespace Weft.Workloads.Tests;

/// <summary>The policies and mtls sections map onto Weft.Policy's model.</summary>
public sealed class PolicyParsingTests
{
    private readonly LocalConfig config = ExampleConfig.Parse(PolicyExampleConfig.Text);

    [Fact]
    public void Root_namespace()
    {
        Assert.Equal("istio-system", config.RootNamespace);
        Assert.Equal("istio-system", ExampleConfig.Parse(ExampleConfig.Text).RootNamespace);
        Assert.Equal("mesh", ExampleConfig.Parse("node: n\nrootNamespace: mesh\n").RootNamespace);
    }

    [Fact]
    public void Allow_policy_with_three_sources()
    {
        var p = config.Policies[0];

        Assert.Equal(("shop-allow", "shop", PolicyAction.Allow), (p.Name, p.Namespace, p.Action));
        Assert.Empty(p.Selector);
        var rule = Assert.Single(p.Rules);
        Assert.Empty(rule.To);
        Assert.Equal(3, rule.From.Count);
        Assert.Equal([StringMatch.Parse("shop")], rule.From[0].Namespaces);
        Assert.Equal([new ServiceAccountRef("front", "gateway")], rule.From[1].ServiceAccounts);
        Assert.Equal([IPNetwork.Parse("10.77.0.0/24")], rule.From[2].IpBlocks);
    }

    [Fact]
    public void Deny_policy_with_selector_from_and_to()
    {
        var p = config.Policies[1];

        Assert.Equal(("web-admin-mtls-only", PolicyAction.Deny), (p.Name, p.Action));
        Assert.Equal(new Dictionary<string, string> { ["app"] = "web" }, p.Selector);
        var rule = Assert.Single(p.Rules);
        Assert.Equal([new StringMatch(StringMatchKind.Presence, "")], Assert.Single(rule.From).NotPrincipals);
        Assert.Equal([9090], Assert.Single(rule.To).Ports);
    }

    [Fact]
    public void Mtls_entries_in_file_order()
    {
        Assert.Equal(
            [(null, 0, MtlsMode.Permissive), ("shop", 0, MtlsMode.Strict), ("shop", 1, MtlsMode.Permissive)],
            config.Mtls.Select(m => (m.Namespace, m.Selector.Count, m.Mode)));
    }

    [Fact]
    public void Defaults_and_every_field()
    {
        var parsed = ExampleConfig.Parse("""
            node: node-a
            policies:
              - name: everything
                namespace: shop
                rules:
                  - from:
                      - principals: [cluster.local/ns/shop/sa/client, "cluster.local/ns/front/*", "*/sa/gateway", "*"]
                        notPrincipals: [cluster.local/ns/shop/sa/banned]
                        namespaces: [shop, "front*", "*-prod"]
                        notNamespaces: [legacy]
                        ipBlocks: [10.77.0.4, "fd00:77::/64", "fd00::4"]
                        notIpBlocks: [10.77.0.128/25]
                      - serviceAccounts: [client, front/gateway]
                        notServiceAccounts: [shop/banned]
                    to:
                      - ports: [80, 8080]
                        notPorts: [8081]
              - name: allow-nothing
                namespace: shop
              - name: allow-all
                namespace: data
                rules: [{}]
            """);

        var p = parsed.Policies[0];
        Assert.Equal(PolicyAction.Allow, p.Action);
        var source = p.Rules[0].From[0];
        Assert.Equal(
            [new(StringMatchKind.Exact, "cluster.local/ns/shop/sa/client"), new(StringMatchKind.Prefix, "cluster.local/ns/front/"),
                new(StringMatchKind.Suffix, "/sa/gateway"), new StringMatch(StringMatchKind.Presence, "")],
            source.Principals);
        Assert.Equal(["cluster.local/ns/shop/sa/banned"], source.NotPrincipals.Select(m => m.ToString()));
        Assert.Equal(["shop", "front*", "*-prod"], source.Namespaces.Select(m => m.ToString()));
        Assert.Equal(["legacy"], source.NotNamespaces.Select(m => m.ToString()));
        Assert.Equal([IPNetwork.Parse("10.77.0.4/32"), IPNetwork.Parse("fd00:77::/64"), IPNetwork.Parse("fd00::4/128")], source.IpBlocks);
        Assert.Equal([IPNetwork.Parse("10.77.0.128/25")], source.NotIpBlocks);

        // A bare service account is in the policy's namespace, as istiod reads it.
        var accounts = p.Rules[0].From[1];
        Assert.Equal([new ServiceAccountRef("shop", "client"), new ServiceAccountRef("front", "gateway")], accounts.ServiceAccounts);
        Assert.Equal([new ServiceAccountRef("shop", "banned")], accounts.NotServiceAccounts);
        Assert.Equal([80, 8080], p.Rules[0].To[0].Ports);
        Assert.Equal([8081], p.Rules[0].To[0].NotPorts);

        Assert.Empty(parsed.Policies[1].Rules);
        var any = Assert.Single(parsed.Policies[2].Rules);
        Assert.Empty(any.From);
        Assert.Empty(any.To);
        Assert.Empty(parsed.Mtls);
    }

    [Theory]
    [InlineData("policies: []\nmtls: []\n")]
    [InlineData("policies:\nmtls: ~\n")]
    public void Empty_or_missing_sections_are_fine(string text)
    {
        var parsed = ExampleConfig.Parse("node: node-a\n" + text);

        Assert.Empty(parsed.Policies);
        Assert.Empty(parsed.Mtls);
        Assert.Empty(ExampleConfig.Parse(ExampleConfig.Text).Policies);
    }

    [Fact]
    public void Selector_on_a_policy_outside_a_custom_root_is_fine()
    {
        var parsed = ExampleConfig.Parse("node: n\nrootNamespace: mesh\npolicies:\n  - name: p\n    namespace: istio-system\n    selector: { app: web }\n");

        Assert.Equal("istio-system", parsed.Policies[0].Namespace);
    }

    [Fact]
    public void Root_namespace_mtls_entry_without_selector_is_the_mesh_default()
    {
        var parsed = ExampleConfig.Parse("node: n\nmtls:\n  - namespace: istio-system\n    mode: STRICT\n");

        Assert.Equal(MtlsMode.Strict, parsed.CreatePolicySet().MtlsModeFor(new PolicyWorkload { Uid = "x", Namespace = "any" }));
    }
}
