using System.Net;
using Weft.Policy;

namespace Weft.Workloads.Tests;

/// <summary>The table of docs/config.md's Authorization section, on the policies example.</summary>
public sealed class LocalConfigPoliciesTests
{
    private static readonly LocalConfig Config = ExampleConfig.Parse(PolicyExampleConfig.Text);
    private static readonly PolicySet Set = Config.CreatePolicySet();
    private static readonly PolicyWorkload Web = Config.Workloads[0].ToPolicyWorkload();
    private static readonly PolicyWorkload Api = Config.Workloads[1].ToPolicyWorkload();

    public static TheoryData<string, bool, string?, DecisionReason> Table => new()
    {
        { "shop/client mtls 10.77.0.3 web 8080", true, "shop/shop-allow", DecisionReason.AllowPolicyMatched },
        { "- plaintext 10.77.0.4 web 8080", true, "shop/shop-allow", DecisionReason.AllowPolicyMatched },
        { "- plaintext 10.77.0.4 web 9090", false, "shop/web-admin-mtls-only", DecisionReason.DenyPolicyMatched },
        { "- plaintext 10.77.0.4 api 8080", false, null, DecisionReason.PlaintextRefused },
        { "data/db mtls 10.77.1.9 web 8080", false, null, DecisionReason.NoAllowPolicyMatched },
        { "shop/client mtls 10.77.0.3 web 23", false, "istio-system/no-telnet", DecisionReason.DenyPolicyMatched },
        { "front/gateway mtls 10.77.1.9 api 8080", true, "shop/shop-allow", DecisionReason.AllowPolicyMatched },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Example_decisions(string connection, bool allowed, string? policy, DecisionReason reason)
    {
        var p = connection.Split(' ');
        var peer = p[1] == "mtls" ? new PeerIdentity(Config.TrustDomain, p[0].Split('/')[0], p[0].Split('/')[1]) : null;
        var facts = new ConnectionFacts(p[3] == "web" ? Web : Api, peer, IPAddress.Parse(p[2]), int.Parse(p[4], System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(new Decision(allowed, policy, reason), Set.Evaluate(facts));
    }

    [Fact]
    public void Mtls_modes_of_the_example()
    {
        Assert.Equal(MtlsMode.Permissive, Set.MtlsModeFor(Web));
        Assert.Equal(MtlsMode.Strict, Set.MtlsModeFor(Api));
    }

    [Fact]
    public void Policy_workload_carries_uid_namespace_and_labels()
    {
        Assert.Equal(("shop/web-1", "shop", "web"), (Web.Uid, Web.Namespace, Web.Labels["app"]));
    }

    [Fact]
    public void A_reload_that_adds_a_deny_revokes_matching_connections()
    {
        var live = new[]
        {
            ("a", new ConnectionFacts(Web, new PeerIdentity("cluster.local", "shop", "client"), IPAddress.Parse("10.77.0.3"), 8080)),
            ("b", new ConnectionFacts(Web, null, IPAddress.Parse("10.77.0.4"), 8080)),
        };
        var edited = PolicyExampleConfig.Text.Replace("ports: [23]", "ports: [23, 8080]", StringComparison.Ordinal);

        var revoked = ExampleConfig.Parse(edited).CreatePolicySet().Revoked(live);

        Assert.Equal(["a", "b"], revoked.Select(r => r.Handle));
        Assert.All(revoked, r => Assert.Equal("istio-system/no-telnet", r.Decision.PolicyName));
    }
}
