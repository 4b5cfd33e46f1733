using static Weft.Policy.Tests.Build;

namespace Weft.Policy.Tests;

/// <summary>
/// The semantics as a table: each case is checked twice, once with the destination resolved up front
/// (this node's workloads) and once resolved per call, and both must agree.
/// </summary>
public sealed class EvaluationTableTests
{
    private static readonly Decision NoAllowPolicies = new(true, null, DecisionReason.NoAllowPolicies);
    private static readonly Decision NoAllowMatched = new(false, null, DecisionReason.NoAllowPolicyMatched);
    private static readonly Decision PlaintextRefused = new(false, null, DecisionReason.PlaintextRefused);

    private static readonly Dictionary<string, Case> Cases = new(StringComparer.Ordinal)
    {
        // Evaluation order.
        ["no policies: allowed"] = new([], Plaintext(), NoAllowPolicies),
        ["DENY beats ALLOW"] = new([Allow("all", PolicyRule.Any), Deny("all-deny", PolicyRule.Any)], Mtls(), DeniedBy("shop/all-deny")),
        ["only a non-matching DENY: allowed"] = new([Deny("d", To(Ports(9090)))], Mtls(), NoAllowPolicies),
        ["ALLOW present but not matching: denied"] = new([Allow("a", To(Ports(9090)))], Mtls(), NoAllowMatched),
        ["ALLOW matching: allowed"] = new([Allow("a", To(Ports(8080)))], Mtls(), AllowedBy("shop/a")),
        ["second ALLOW matches: allowed by it"] = new([Allow("a", To(Ports(9090))), Allow("b", To(Ports(8080)))], Mtls(), AllowedBy("shop/b")),

        // Empty rules (Istio: no rules match nothing; one empty rule matches everything).
        ["ALLOW without rules allows nothing"] = new([Allow("allow-nothing")], Mtls(), NoAllowMatched),
        ["ALLOW without rules beside a matching ALLOW"] = new([Allow("allow-nothing"), Allow("a", To(Ports(8080)))], Mtls(), AllowedBy("shop/a")),
        ["ALLOW with one empty rule allows all"] = new([Allow("allow-all", PolicyRule.Any)], Plaintext(), AllowedBy("shop/allow-all")),
        ["DENY without rules matches nothing"] = new([Deny("d")], Plaintext(), NoAllowPolicies),
        ["DENY with one empty rule denies all"] = new([Deny("deny-all", PolicyRule.Any)], Mtls(), DeniedBy("shop/deny-all")),
        ["a source with no field matches nothing"] = new([Deny("d", From(new PolicySource()))], Mtls(), NoAllowPolicies),
        ["an operation with no field matches nothing"] = new([Deny("d", To(new PolicyOperation()))], Mtls(), NoAllowPolicies),

        // principals / notPrincipals.
        ["principals: exact match"] = new([Allow("a", From(new() { Principals = Patterns(Client) }))], Mtls(), AllowedBy("shop/a")),
        ["principals: other identity"] = new([Allow("a", From(new() { Principals = Patterns(Client) }))], Mtls("cluster.local/ns/shop/sa/other"), NoAllowMatched),
        ["principals: trust domain is part of it"] = new([Allow("a", From(new() { Principals = Patterns(Client) }))], Mtls("example.org/ns/shop/sa/client"), NoAllowMatched),
        ["principals: prefix wildcard"] = new([Allow("a", From(new() { Principals = Patterns("cluster.local/ns/shop/*") }))], Mtls(), AllowedBy("shop/a")),
        ["principals: prefix wildcard, other namespace"] = new([Allow("a", From(new() { Principals = Patterns("cluster.local/ns/shop/*") }))], Mtls("cluster.local/ns/shopping/sa/client"), NoAllowMatched),
        ["principals: suffix wildcard"] = new([Allow("a", From(new() { Principals = Patterns("*/sa/client") }))], Mtls("cluster.local/ns/other/sa/client"), AllowedBy("shop/a")),
        ["principals: * matches any identity"] = new([Allow("a", From(new() { Principals = Patterns("*") }))], Mtls(), AllowedBy("shop/a")),
        ["principals: * never matches plaintext"] = new([Allow("a", From(new() { Principals = Patterns("*") }))], Plaintext(), NoAllowMatched),
        ["principals: exact never matches plaintext"] = new([Deny("d", From(new() { Principals = Patterns(Client) }))], Plaintext(), NoAllowPolicies),
        ["notPrincipals: listed identity"] = new([Deny("d", From(new() { NotPrincipals = Patterns(Client) }))], Mtls(), NoAllowPolicies),
        ["notPrincipals: other identity"] = new([Deny("d", From(new() { NotPrincipals = Patterns(Client) }))], Mtls("cluster.local/ns/shop/sa/other"), DeniedBy("shop/d")),
        ["notPrincipals: plaintext matches"] = new([Deny("d", From(new() { NotPrincipals = Patterns(Client) }))], Plaintext(), DeniedBy("shop/d")),
        ["DENY notPrincipals * refuses plaintext"] = new([Deny("require-mtls", From(new() { NotPrincipals = Patterns("*") }))], Plaintext(), DeniedBy("shop/require-mtls")),
        ["DENY notPrincipals * lets mTLS through"] = new([Deny("require-mtls", From(new() { NotPrincipals = Patterns("*") }))], Mtls(), NoAllowPolicies),

        // namespaces / notNamespaces.
        ["namespaces: match"] = new([Allow("a", From(new() { Namespaces = Patterns("shop") }))], Mtls(), AllowedBy("shop/a")),
        ["namespaces: no match"] = new([Allow("a", From(new() { Namespaces = Patterns("data") }))], Mtls(), NoAllowMatched),
        ["namespaces: prefix wildcard"] = new([Allow("a", From(new() { Namespaces = Patterns("sh*") }))], Mtls(), AllowedBy("shop/a")),
        ["namespaces: suffix wildcard"] = new([Allow("a", From(new() { Namespaces = Patterns("*op") }))], Mtls(), AllowedBy("shop/a")),
        ["namespaces: never match plaintext"] = new([Allow("a", From(new() { Namespaces = Patterns("*") }))], Plaintext(), NoAllowMatched),
        ["notNamespaces: listed"] = new([Allow("a", From(new() { NotNamespaces = Patterns("shop") }))], Mtls(), NoAllowMatched),
        ["notNamespaces: not listed"] = new([Allow("a", From(new() { NotNamespaces = Patterns("legacy") }))], Mtls(), AllowedBy("shop/a")),
        ["notNamespaces: plaintext matches (ISTIO-SECURITY-2021-004)"] = new([Allow("a", From(new() { NotNamespaces = Patterns("legacy") }))], Plaintext(), AllowedBy("shop/a")),

        // serviceAccounts / notServiceAccounts.
        ["serviceAccounts: match"] = new([Allow("a", From(new() { ServiceAccounts = Accounts("shop/client") }))], Mtls(), AllowedBy("shop/a")),
        ["serviceAccounts: same name, other namespace"] = new([Allow("a", From(new() { ServiceAccounts = Accounts("shop/client") }))], Mtls("cluster.local/ns/data/sa/client"), NoAllowMatched),
        ["serviceAccounts: any trust domain"] = new([Allow("a", From(new() { ServiceAccounts = Accounts("shop/client") }))], Mtls("example.org/ns/shop/sa/client"), AllowedBy("shop/a")),
        ["serviceAccounts: never match plaintext"] = new([Allow("a", From(new() { ServiceAccounts = Accounts("shop/client") }))], Plaintext(), NoAllowMatched),
        ["notServiceAccounts: listed"] = new([Deny("d", From(new() { NotServiceAccounts = Accounts("shop/client") }))], Mtls(), NoAllowPolicies),
        ["notServiceAccounts: not listed"] = new([Deny("d", From(new() { NotServiceAccounts = Accounts("shop/client") }))], Mtls("cluster.local/ns/shop/sa/other"), DeniedBy("shop/d")),
        ["notServiceAccounts: plaintext matches"] = new([Deny("d", From(new() { NotServiceAccounts = Accounts("shop/client") }))], Plaintext(), DeniedBy("shop/d")),

        // ipBlocks / notIpBlocks.
        ["ipBlocks: IPv4 inside"] = new([Allow("a", From(new() { IpBlocks = Blocks("10.77.0.0/24") }))], Plaintext("10.77.0.4"), AllowedBy("shop/a")),
        ["ipBlocks: IPv4 outside"] = new([Allow("a", From(new() { IpBlocks = Blocks("10.77.0.0/24") }))], Plaintext("10.77.1.4"), NoAllowMatched),
        ["ipBlocks: IPv4 edge of /25"] = new([Allow("a", From(new() { IpBlocks = Blocks("10.77.0.128/25") }))], Plaintext("10.77.0.127"), NoAllowMatched),
        ["ipBlocks: single address /32"] = new([Allow("a", From(new() { IpBlocks = Blocks("10.77.0.4/32") }))], Plaintext("10.77.0.4"), AllowedBy("shop/a")),
        ["ipBlocks: /0 is every IPv4 address"] = new([Allow("a", From(new() { IpBlocks = Blocks("0.0.0.0/0") }))], Plaintext("192.0.2.1"), AllowedBy("shop/a")),
        ["ipBlocks: IPv4-mapped source counts as IPv4"] = new([Allow("a", From(new() { IpBlocks = Blocks("10.77.0.0/24") }))], Plaintext("::ffff:10.77.0.4"), AllowedBy("shop/a")),
        ["ipBlocks: IPv6 inside"] = new([Allow("a", From(new() { IpBlocks = Blocks("fd00:77::/64") }))], Plaintext("fd00:77::4"), AllowedBy("shop/a")),
        ["ipBlocks: IPv6 outside"] = new([Allow("a", From(new() { IpBlocks = Blocks("fd00:77::/64") }))], Plaintext("fd00:78::4"), NoAllowMatched),
        ["ipBlocks: IPv6 /128"] = new([Allow("a", From(new() { IpBlocks = Blocks("fd00:77::4/128") }))], Plaintext("fd00:77::4"), AllowedBy("shop/a")),
        ["ipBlocks: IPv4 block never matches IPv6"] = new([Allow("a", From(new() { IpBlocks = Blocks("0.0.0.0/0") }))], Plaintext("fd00::1"), NoAllowMatched),
        ["ipBlocks: IPv6 /0 never matches IPv4"] = new([Allow("a", From(new() { IpBlocks = Blocks("::/0") }))], Plaintext("10.0.0.1"), NoAllowMatched),
        ["ipBlocks: apply to mTLS too"] = new([Deny("d", From(new() { IpBlocks = Blocks("10.77.0.0/24") }))], Mtls(address: "10.77.0.3"), DeniedBy("shop/d")),
        ["notIpBlocks: inside"] = new([Deny("d", From(new() { NotIpBlocks = Blocks("10.77.0.0/24") }))], Plaintext("10.77.0.4"), NoAllowPolicies),
        ["notIpBlocks: outside"] = new([Deny("d", From(new() { NotIpBlocks = Blocks("10.77.0.0/24") }))], Plaintext("192.0.2.1"), DeniedBy("shop/d")),
        ["notIpBlocks: IPv6 source is outside an IPv4 block"] = new([Deny("d", From(new() { NotIpBlocks = Blocks("10.0.0.0/8") }))], Plaintext("fd00::1"), DeniedBy("shop/d")),

        // ports / notPorts.
        ["ports: listed"] = new([Allow("a", To(Ports(80, 8080)))], Mtls(port: 80), AllowedBy("shop/a")),
        ["ports: not listed"] = new([Allow("a", To(Ports(80, 8080)))], Mtls(port: 8443), NoAllowMatched),
        ["notPorts: listed"] = new([Deny("d", To(NotPorts(8080)))], Mtls(port: 8080), NoAllowPolicies),
        ["notPorts: not listed"] = new([Deny("d", To(NotPorts(8080)))], Mtls(port: 22), DeniedBy("shop/d")),
        ["ports and notPorts in one operation"] = new([Allow("a", To(new PolicyOperation { Ports = [80, 8080], NotPorts = [8080] }))], Mtls(port: 8080), NoAllowMatched),

        // Combination: AND inside a source, OR across sources, AND from/to, OR across rules.
        ["AND inside a source: both hold"] = new([Allow("a", From(new() { Principals = Patterns(Client), IpBlocks = Blocks("10.77.0.0/24") }))], Mtls(address: "10.77.0.3"), AllowedBy("shop/a")),
        ["AND inside a source: one fails"] = new([Allow("a", From(new() { Principals = Patterns(Client), IpBlocks = Blocks("10.77.0.0/24") }))], Mtls(address: "10.78.0.3"), NoAllowMatched),
        ["OR across sources"] = new([Allow("a", From(new() { Principals = Patterns("x/ns/y/sa/z") }, new PolicySource { IpBlocks = Blocks("10.77.0.0/24") }))], Plaintext(), AllowedBy("shop/a")),
        ["AND between from and to: both hold"] = new([Allow("a", FromTo(new() { Namespaces = Patterns("shop") }, Ports(8080)))], Mtls(port: 8080), AllowedBy("shop/a")),
        ["AND between from and to: port fails"] = new([Allow("a", FromTo(new() { Namespaces = Patterns("shop") }, Ports(8080)))], Mtls(port: 9090), NoAllowMatched),
        ["OR across rules"] = new([Allow("a", From(new() { Namespaces = Patterns("data") }), To(Ports(8080)))], Mtls(port: 8080), AllowedBy("shop/a")),
        ["OR across operations"] = new([Allow("a", To(Ports(9090), Ports(8080)))], Mtls(port: 8080), AllowedBy("shop/a")),

        // Scope.
        ["scope: policy of another namespace does not apply"] = new([PolicyIn(PolicyAction.Deny, "data", "d", [PolicyRule.Any])], Mtls(), NoAllowPolicies),
        ["scope: ALLOW of another namespace does not turn on default deny"] = new([PolicyIn(PolicyAction.Allow, "data", "a", [])], Mtls(), NoAllowPolicies),
        ["scope: root namespace applies mesh-wide"] = new([PolicyIn(PolicyAction.Deny, "istio-system", "d", [PolicyRule.Any])], Mtls(), DeniedBy("istio-system/d")),
        ["scope: mesh-wide ALLOW turns on default deny everywhere"] = new([PolicyIn(PolicyAction.Allow, "istio-system", "a", [To(Ports(9090))])], Mtls(to: Db), NoAllowMatched),
        ["scope: mesh-wide DENY beats namespace ALLOW"] = new([Allow("a", PolicyRule.Any), PolicyIn(PolicyAction.Deny, "istio-system", "d", [PolicyRule.Any])], Mtls(), DeniedBy("istio-system/d")),
        ["scope: namespace DENY beats mesh-wide ALLOW"] = new([Deny("d", PolicyRule.Any), PolicyIn(PolicyAction.Allow, "istio-system", "a", [PolicyRule.Any])], Mtls(), DeniedBy("shop/d")),
        ["scope: mesh-wide ALLOW allows in any namespace"] = new([PolicyIn(PolicyAction.Allow, "istio-system", "a", [PolicyRule.Any])], Mtls(to: Db), AllowedBy("istio-system/a")),
        ["scope: selector matches"] = new([PolicyIn(PolicyAction.Deny, "shop", "d", [PolicyRule.Any], selector: "app=web")], Mtls(), DeniedBy("shop/d")),
        ["scope: selector needs every label"] = new([PolicyIn(PolicyAction.Deny, "shop", "d", [PolicyRule.Any], selector: "app=web,tier=front")], Mtls(), NoAllowPolicies),
        ["scope: selector with another value"] = new([PolicyIn(PolicyAction.Deny, "shop", "d", [PolicyRule.Any], selector: "app=api")], Mtls(), NoAllowPolicies),
        ["scope: selector ALLOW for another workload does not turn on default deny"] = new([PolicyIn(PolicyAction.Allow, "shop", "a", [], selector: "app=api")], Mtls(), NoAllowPolicies),
        ["scope: selector does not reach other namespaces"] = new([PolicyIn(PolicyAction.Deny, "shop", "d", [PolicyRule.Any], selector: "app=db")], Mtls(to: Db), NoAllowPolicies),
        ["scope: a custom root namespace"] = new([PolicyIn(PolicyAction.Deny, "mesh-root", "d", [PolicyRule.Any])], Mtls(), DeniedBy("mesh-root/d"), Root: "mesh-root"),
        ["scope: istio-system is an ordinary namespace under another root"] = new([PolicyIn(PolicyAction.Deny, "istio-system", "d", [PolicyRule.Any])], Mtls(), NoAllowPolicies, Root: "mesh-root"),

        // mTLS mode.
        ["STRICT refuses plaintext"] = new([], Plaintext(), PlaintextRefused, [Mode(MtlsMode.Strict)]),
        ["STRICT lets mTLS through"] = new([], Mtls(), NoAllowPolicies, [Mode(MtlsMode.Strict)]),
        ["STRICT is checked before ALLOW"] = new([Allow("a", PolicyRule.Any)], Plaintext(), PlaintextRefused, [Mode(MtlsMode.Strict, "shop")]),
        ["PERMISSIVE accepts plaintext"] = new([], Plaintext(), NoAllowPolicies, [Mode(MtlsMode.Permissive)]),
        ["STRICT elsewhere does not apply"] = new([], Plaintext(), NoAllowPolicies, [Mode(MtlsMode.Strict, "data")]),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Decides(string name)
    {
        var c = Cases[name];

        var resolvedUpFront = PolicySet.Create(c.Policies, c.Mtls ?? [], c.Root, [Web, Db]);
        var resolvedPerCall = PolicySet.Create(c.Policies, c.Mtls ?? [], c.Root);

        Assert.Equal(c.Expected, resolvedUpFront.Evaluate(c.Facts));
        Assert.Equal(c.Expected, resolvedPerCall.Evaluate(c.Facts));
    }

    [Fact]
    public void Decisions_read_as_sentences()
    {
        Assert.Equal("denied by DENY policy shop/d", DeniedBy("shop/d").ToString());
        Assert.Equal("allowed by ALLOW policy shop/a", AllowedBy("shop/a").ToString());
        Assert.Equal("denied: no ALLOW policy matched", NoAllowMatched.ToString());
        Assert.Equal("allowed: no ALLOW policy applies", NoAllowPolicies.ToString());
        Assert.Equal("denied: plaintext refused, mTLS mode is STRICT", PlaintextRefused.ToString());
    }

    private static Decision AllowedBy(string policy) => new(true, policy, DecisionReason.AllowPolicyMatched);

    private static Decision DeniedBy(string policy) => new(false, policy, DecisionReason.DenyPolicyMatched);

    private sealed record Case(AuthorizationPolicy[] Policies, ConnectionFacts Facts, Decision Expected, MtlsPolicy[]? Mtls = null, string Root = PolicySet.DefaultRootNamespace);
}
