using static Weft.Policy.Tests.Build;

namespace Weft.Policy.Tests;

public sealed class PolicySetTests
{
    [Fact]
    public void Duplicate_names_in_a_namespace_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => PolicySet.Create([Allow("a"), Deny("a")], []));

        Assert.StartsWith("two policies are named shop/a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_name_in_two_namespaces_is_fine()
    {
        var set = PolicySet.Create([Allow("a"), PolicyIn(PolicyAction.Allow, "data", "a", [])], []);

        Assert.Equal(2, set.Policies.Count);
    }

    [Fact]
    public void A_mesh_wide_policy_cannot_have_a_selector()
    {
        var e = Assert.Throws<ArgumentException>(() => PolicySet.Create([PolicyIn(PolicyAction.Deny, "istio-system", "d", [], selector: "app=web")], []));

        Assert.Contains("root namespace", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Policies_for_a_workload_deny_first_both_ways()
    {
        var policies = new[]
        {
            Allow("ns-allow"),
            PolicyIn(PolicyAction.Allow, "istio-system", "mesh-allow", []),
            PolicyIn(PolicyAction.Deny, "shop", "web-deny", [], selector: "app=web"),
            PolicyIn(PolicyAction.Deny, "shop", "api-deny", [], selector: "app=api"),
            PolicyIn(PolicyAction.Deny, "data", "db-deny", []),
        };

        foreach (var set in new[] { PolicySet.Create(policies, [], workloads: [Web]), PolicySet.Create(policies, []) })
        {
            Assert.Equal(["shop/web-deny", "istio-system/mesh-allow", "shop/ns-allow"], set.PoliciesFor(Web).Select(p => p.ToString()));
        }
    }

    [Fact]
    public void An_empty_set_allows_everything()
    {
        Assert.True(PolicySet.Empty.Evaluate(Plaintext()).Allowed);
        Assert.Equal(MtlsMode.Permissive, PolicySet.Empty.MtlsModeFor(Web));
        Assert.Equal(PolicySet.DefaultRootNamespace, PolicySet.Empty.RootNamespace);
    }
}
