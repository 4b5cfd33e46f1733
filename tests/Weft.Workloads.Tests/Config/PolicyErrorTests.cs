namespace Weft.Workloads.Tests;

/// <summary>Bad policies: each error names the line, column and field path of the culprit.</summary>
public sealed class PolicyErrorTests
{
    [Theory]
    [InlineData("allow", "unknown action \"allow\"; did you mean \"ALLOW\"?")]
    [InlineData("Deny", "unknown action \"Deny\"; did you mean \"DENY\"?")]
    [InlineData("CUSTOM", "unknown action \"CUSTOM\"; use ALLOW or DENY")]
    [InlineData("AUDIT", "unknown action \"AUDIT\"; use ALLOW or DENY")]
    public void Unknown_action(string action, string detail)
    {
        var e = ConfigAssert.Fails(Policy($"    action: {action}\n"), line: 5, column: 13, field: "policies[0].action");

        Assert.Equal(detail, e.Detail);
    }

    [Theory]
    [InlineData("10.77.0.1/24", "\"10.77.0.1/24\" has bits set past the /24 prefix; did you mean 10.77.0.0/24?")]
    [InlineData("10.77.0.0/33", "\"10.77.0.0/33\" is not a CIDR: the prefix length must be 0-32")]
    [InlineData("fd00::/129", "\"fd00::/129\" is not a CIDR: the prefix length must be 0-128")]
    [InlineData("10.77.0.x", "\"10.77.0.x\" is not an IP address or CIDR")]
    [InlineData("010.77.0.1", "\"010.77.0.1\" is not an IP address or CIDR")]
    [InlineData("::ffff:10.77.0.1", "::ffff:10.77.0.1 is an IPv4-mapped IPv6 address; write it as 10.77.0.1")]
    [InlineData("::ffff:10.77.0.0/120", "\"::ffff:10.77.0.0/120\" is an IPv4-mapped IPv6 network; write it in IPv4 form")]
    public void Bad_ip_block(string block, string detail)
    {
        var e = ConfigAssert.Fails(Source($"ipBlocks: [10.0.0.0/8, \"{block}\"]"), line: 7, column: 36, field: "policies[0].rules[0].from[0].ipBlocks[1]");

        Assert.Equal(detail, e.Detail);
    }

    [Fact]
    public void Bad_not_ip_block()
    {
        ConfigAssert.Fails(Source("notIpBlocks: [10.1.2.3/8]"), line: 7, column: 27, field: "policies[0].rules[0].from[0].notIpBlocks[0]");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("http")]
    [InlineData("80-90")]
    public void Bad_port(string port)
    {
        var e = ConfigAssert.Fails(Operation($"ports: [80, {port}]"), line: 7, column: 25, field: "policies[0].rules[0].to[0].ports[1]");

        Assert.Equal($"\"{port}\" is not a port (1-65535)", e.Detail);
    }

    [Fact]
    public void Bad_not_port()
    {
        ConfigAssert.Fails(Operation("notPorts: [0]"), line: 7, column: 24, field: "policies[0].rules[0].to[0].notPorts[0]");
    }

    [Theory]
    [InlineData("spiffe://cluster.local/ns/shop/sa/client",
        "\"spiffe://cluster.local/ns/shop/sa/client\" starts with spiffe://; write principals without it, e.g. \"cluster.local/ns/shop/sa/client\"")]
    [InlineData("SPIFFE://cluster.local/ns/shop/sa/client",
        "\"SPIFFE://cluster.local/ns/shop/sa/client\" starts with spiffe://; write principals without it, e.g. \"cluster.local/ns/shop/sa/client\"")]
    [InlineData("cluster.local/shop/client",
        "\"cluster.local/shop/client\" is not a principal: expected <trustDomain>/ns/<namespace>/sa/<serviceAccount>, e.g. cluster.local/ns/shop/sa/client")]
    [InlineData("shop/client",
        "\"shop/client\" is not a principal: expected <trustDomain>/ns/<namespace>/sa/<serviceAccount>, e.g. cluster.local/ns/shop/sa/client")]
    [InlineData("cluster.local/ns/Shop/sa/client",
        "\"cluster.local/ns/Shop/sa/client\" is not a principal: expected <trustDomain>/ns/<namespace>/sa/<serviceAccount>, e.g. cluster.local/ns/shop/sa/client")]
    [InlineData("cluster.local/*/sa/client", "\"cluster.local/*/sa/client\" has a '*' that is not alone, at the start or at the end")]
    [InlineData("*/ns/shop/*", "\"*/ns/shop/*\" has a '*' that is not alone, at the start or at the end")]
    [InlineData("**", "\"**\" has a '*' that is not alone, at the start or at the end")]
    [InlineData("cluster.local/ns/shop /*", "\"cluster.local/ns/shop /*\" is not a principal pattern: use lowercase letters, digits, '.', '-', '_' and '/' besides the '*'")]
    [InlineData("", "must not be empty")]
    public void Bad_principal(string principal, string detail)
    {
        var e = ConfigAssert.Fails(Source($"principals: [\"{principal}\"]"), line: 7, column: 26, field: "policies[0].rules[0].from[0].principals[0]");

        Assert.Equal(detail, e.Detail);
    }

    [Fact]
    public void Bad_not_principal()
    {
        ConfigAssert.Fails(Source("notPrincipals: [\"spiffe://cluster.local/ns/a/sa/b\"]"), line: 7, column: 29, field: "policies[0].rules[0].from[0].notPrincipals[0]");
    }

    [Theory]
    [InlineData("Shop", "\"Shop\" is not a valid name: use at most 63 lowercase letters, digits and '-', beginning and ending with a letter or digit")]
    [InlineData("s*p", "\"s*p\" has a '*' that is not alone, at the start or at the end")]
    [InlineData("shop.*", "\"shop.*\" is not a namespace pattern: use lowercase letters, digits and '-' besides the '*'")]
    public void Bad_namespace(string ns, string detail)
    {
        var e = ConfigAssert.Fails(Source($"notNamespaces: [legacy, \"{ns}\"]"), line: 7, column: 37, field: "policies[0].rules[0].from[0].notNamespaces[1]");

        Assert.Equal(detail, e.Detail);
    }

    [Theory]
    [InlineData("shop/sa/client", "\"shop/sa/client\" is not a service account: expected <namespace>/<serviceAccount>, e.g. shop/client")]
    [InlineData("Shop/client", "\"Shop/client\" is not a service account: expected <namespace>/<serviceAccount>, e.g. shop/client")]
    [InlineData("shop/", "\"shop/\" is not a service account: expected <namespace>/<serviceAccount>, e.g. shop/client")]
    [InlineData("shop/*", "\"shop/*\": serviceAccounts take no wildcards; use principals for patterns, e.g. cluster.local/ns/shop/sa/*")]
    public void Bad_service_account(string account, string detail)
    {
        var e = ConfigAssert.Fails(Source($"serviceAccounts: [\"{account}\"]"), line: 7, column: 31, field: "policies[0].rules[0].from[0].serviceAccounts[0]");

        Assert.Equal(detail, e.Detail);
    }

    [Fact]
    public void Service_accounts_with_principals_in_one_source()
    {
        var e = ConfigAssert.Fails(Policy("""
                rules:
                  - from:
                      - namespaces: [shop]
                        notServiceAccounts: [shop/banned]
            """), line: 8, column: 33, field: "policies[0].rules[0].from[0].notServiceAccounts");

        Assert.Equal("cannot be combined with principals or namespaces in one source (Istio refuses it too); use a second source", e.Detail);
    }

    [Fact]
    public void Selector_on_a_mesh_wide_policy()
    {
        var e = ConfigAssert.Fails("node: node-a\npolicies:\n  - name: p\n    namespace: istio-system\n    selector: { app: web }\n",
            line: 5, column: 15, field: "policies[0].selector");

        Assert.Equal("a policy in the root namespace \"istio-system\" applies to the whole mesh and cannot have a selector; put it in the workloads' namespace", e.Detail);
    }

    [Fact]
    public void Selector_on_a_policy_in_a_custom_root_namespace()
    {
        ConfigAssert.Fails("node: node-a\nrootNamespace: mesh\npolicies:\n  - name: p\n    namespace: mesh\n    selector: { app: web }\n",
            line: 6, column: 15, field: "policies[0].selector");
    }

    [Fact]
    public void Duplicate_policy_name_in_a_namespace()
    {
        var e = ConfigAssert.Fails("""
            node: node-a
            policies:
              - name: p
                namespace: shop
              - name: q
                namespace: shop
              - name: p
                namespace: data
              - name: p
                namespace: shop
            """, line: 9, column: 11, field: "policies[3].name");

        Assert.Equal("another policy is already named shop/p (first at line 3)", e.Detail);
    }

    [Fact]
    public void Deny_without_rules()
    {
        var e = ConfigAssert.Fails(Policy("    action: DENY\n"), line: 3, column: 5, field: "policies[0].rules");

        Assert.Equal("a DENY policy without rules never matches; write rules: [{}] to deny every connection", e.Detail);
    }

    [Fact]
    public void Deny_with_an_empty_rule_list()
    {
        ConfigAssert.Fails(Policy("    action: DENY\n    rules: []\n"), line: 6, column: 12, field: "policies[0].rules");
    }

    [Fact]
    public void Empty_from()
    {
        var e = ConfigAssert.Fails(Policy("    rules:\n      - from: []\n"), line: 6, column: 15, field: "policies[0].rules[0].from");

        Assert.Equal("must not be empty; leave out \"from\" to match any source", e.Detail);
    }

    [Fact]
    public void Empty_to()
    {
        var e = ConfigAssert.Fails(Policy("    rules:\n      - to: []\n"), line: 6, column: 13, field: "policies[0].rules[0].to");

        Assert.Equal("must not be empty; leave out \"to\" to match any port", e.Detail);
    }

    [Fact]
    public void Source_without_fields()
    {
        var e = ConfigAssert.Fails(Policy("    rules:\n      - from: [{}]\n"), line: 6, column: 16, field: "policies[0].rules[0].from[0]");

        Assert.Equal(
            "a source needs at least one of principals, notPrincipals, namespaces, notNamespaces, serviceAccounts, notServiceAccounts, ipBlocks, notIpBlocks",
            e.Detail);
    }

    [Fact]
    public void Source_with_only_empty_lists()
    {
        ConfigAssert.Fails(Source("principals: []"), line: 7, column: 13, field: "policies[0].rules[0].from[0]");
    }

    [Fact]
    public void Operation_without_fields()
    {
        var e = ConfigAssert.Fails(Policy("    rules:\n      - to:\n          - ports: []\n"), line: 7, column: 13, field: "policies[0].rules[0].to[0]");

        Assert.Equal("an operation needs ports or notPorts", e.Detail);
    }

    [Theory]
    [InlineData("    acton: DENY\n", 5, 5, "policies[0].acton", "unknown field \"acton\"; did you mean \"action\"?")]
    [InlineData("    selectors: { app: web }\n", 5, 5, "policies[0].selectors", "unknown field \"selectors\"; did you mean \"selector\"?")]
    [InlineData("    rule: []\n", 5, 5, "policies[0].rule", "unknown field \"rule\"; did you mean \"rules\"?")]
    [InlineData("    rules:\n      - when: []\n", 6, 9, "policies[0].rules[0].when", "unknown field \"when\"; known fields are from, to")]
    [InlineData("    rules:\n      - from:\n          - principal: [a]\n", 7, 13, "policies[0].rules[0].from[0].principal", "unknown field \"principal\"; did you mean \"principals\"?")]
    [InlineData("    rules:\n      - from:\n          - not_ip_blocks: [a]\n", 7, 13, "policies[0].rules[0].from[0].not_ip_blocks", "unknown field \"not_ip_blocks\"; did you mean \"notIpBlocks\"?")]
    [InlineData("    rules:\n      - to:\n          - methods: [GET]\n", 7, 13, "policies[0].rules[0].to[0].methods", "unknown field \"methods\"; known fields are ports, notPorts")]
    public void Unknown_fields(string lines, int line, int column, string field, string detail)
    {
        var e = ConfigAssert.Fails(Policy(lines), line, column, field);

        Assert.Equal(detail, e.Detail);
    }

    [Fact]
    public void Istio_source_wrapper_is_an_unknown_field_listing_the_real_ones()
    {
        var e = ConfigAssert.Fails(Policy("    rules:\n      - from:\n          - source: { principals: [a] }\n"),
            line: 7, column: 13, field: "policies[0].rules[0].from[0].source");

        Assert.StartsWith("unknown field \"source\"; known fields are principals, notPrincipals,", e.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("namespace")]
    public void Missing_policy_field(string field)
    {
        var text = "node: node-a\npolicies:\n  - " + (field == "name" ? "namespace: shop" : "name: p") + "\n    action: ALLOW\n";

        var e = ConfigAssert.Fails(text, line: 3, column: 5, field: $"policies[0].{field}");

        Assert.Equal($"missing required field \"{field}\"", e.Detail);
    }

    [Fact]
    public void Rules_must_be_a_list()
    {
        ConfigAssert.Fails(Policy("    rules: { from: [] }\n"), line: 5, column: 12, field: "policies[0].rules");
    }

    [Fact]
    public void Bad_root_namespace()
    {
        ConfigAssert.Fails("node: node-a\nrootNamespace: Istio-System\n", line: 2, column: 16, field: "rootNamespace");
    }

    /// <summary>Policy shop/p from line 3; <paramref name="lines"/> start at line 5, indented by four.</summary>
    private static string Policy(string lines) => "node: node-a\npolicies:\n  - name: p\n    namespace: shop\n" + lines;

    /// <summary>One source whose field starts at line 7, column 13.</summary>
    private static string Source(string field) => Policy("    rules:\n      - from:\n          - " + field + "\n");

    /// <summary>One destination whose field starts at line 7, column 13.</summary>
    private static string Operation(string field) => Policy("    rules:\n      - to:\n          - " + field + "\n");
}
