using System.Net;
using static Weft.Policy.Tests.Build;

namespace Weft.Policy.Tests;

/// <summary>Evaluate runs for every inbound connection: it must not allocate, whichever path it takes.</summary>
public sealed class AllocationTests
{
    private const int Calls = 10_000;

    private static readonly PolicySet Set = PolicySet.Create(
        [
            PolicyIn(PolicyAction.Deny, "istio-system", "no-telnet", [To(Ports(23))]),
            Deny("deny-legacy", From(new() { IpBlocks = Blocks("10.99.0.0/16", "fd00:99::/32"), NotPrincipals = Patterns("*") })),
            PolicyIn(PolicyAction.Allow, "shop", "web-from-shop", [FromTo(new() { Namespaces = Patterns("shop", "front*"), NotServiceAccounts = Accounts("shop/banned") }, Ports(8080, 8443))], selector: "app=web"),
            Allow("from-lan", From(new() { IpBlocks = Blocks("10.77.0.0/16") })),
            Allow("from-client", From(new() { Principals = Patterns("cluster.local/ns/shop/*"), ServiceAccounts = Accounts("shop/client") })),
        ],
        [Mode(MtlsMode.Strict, "data"), Mode(MtlsMode.Permissive, "shop", "app=web")],
        workloads: [Web, Db]);

    public static TheoryData<string> Scenarios => ["mtls allowed", "mtls denied", "plaintext allowed", "plaintext denied", "strict refused", "ipv6", "ipv4-mapped", "not resolved up front"];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Evaluate_allocates_nothing(string scenario)
    {
        var (facts, allowed) = scenario switch
        {
            "mtls allowed" => (Mtls(port: 8080), true),
            "mtls denied" => (Mtls("cluster.local/ns/shop/sa/banned", address: "10.1.0.3", port: 9999), false),
            "plaintext allowed" => (Plaintext("10.77.0.4"), true),
            "plaintext denied" => (Plaintext("10.99.0.4"), false),
            "strict refused" => (Plaintext(to: Db), false),
            "ipv6" => (Plaintext("fd00:99::4"), false),
            "ipv4-mapped" => (Plaintext("::ffff:10.77.0.4"), true),
            _ => (Mtls(to: Workload("shop/web-9", "shop", "app=web,tier=front"), port: 8443), true),
        };
        var expected = Set.Evaluate(facts);
        Assert.Equal(allowed, expected.Allowed);

        var allocated = Measure(() => Set.Evaluate(facts), expected);

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Authorizer_evaluate_allocates_nothing()
    {
        var authorizer = new Authorizer(Set, new TestLogger());
        var facts = new ConnectionFacts(Web, null, IPAddress.Parse("10.77.0.4"), 8080);
        var expected = authorizer.Evaluate(facts);

        Assert.Equal(0, Measure(() => authorizer.Evaluate(facts), expected));
    }

    /// <summary>
    /// Bytes allocated by <see cref="Calls"/> evaluations. The runtime may allocate once on this thread
    /// while it tiers the loop up (on-stack replacement), so up to five rounds are measured and the
    /// first clean one counts; an allocation per call would show in every round.
    /// </summary>
    private static long Measure(Func<Decision> evaluate, Decision expected)
    {
        for (var i = 0; i < 1000; i++)
        {
            evaluate();
        }

        long allocated = 0;
        for (var round = 0; round < 5; round++)
        {
            var mismatches = 0;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Calls; i++)
            {
                if (evaluate() != expected)
                {
                    mismatches++;
                }
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, mismatches);
            if (allocated == 0)
            {
                break;
            }
        }

        return allocated;
    }
}
