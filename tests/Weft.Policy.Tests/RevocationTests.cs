using static Weft.Policy.Tests.Build;

namespace Weft.Policy.Tests;

/// <summary>On a policy change, live connections are judged again as if new; those no longer allowed are returned for closing.</summary>
public sealed class RevocationTests
{
    private static readonly (string Handle, ConnectionFacts Facts)[] Live =
    [
        ("client-8080", Mtls(port: 8080)),
        ("client-9090", Mtls(port: 9090)),
        ("other-8080", Mtls("cluster.local/ns/shop/sa/other", port: 8080)),
        ("legacy-8080", Plaintext(port: 8080)),
        ("client-db", Mtls(to: Db, port: 5432)),
    ];

    [Fact]
    public void A_new_deny_revokes_what_it_matches()
    {
        var next = Set(Deny("no-9090", To(Ports(9090))));

        var revoked = next.Revoked(Live);

        var r = Assert.Single(revoked);
        Assert.Equal("client-9090", r.Handle);
        Assert.Equal(new Decision(false, "shop/no-9090", DecisionReason.DenyPolicyMatched), r.Decision);
        Assert.Equal(9090, r.Facts.DestinationPort);
    }

    [Fact]
    public void A_new_allow_revokes_what_it_does_not_match_in_its_scope_only()
    {
        var next = Set(Allow("only-client", From(new() { Principals = Patterns(Client) })));

        Assert.Equal(["other-8080", "legacy-8080"], Handles(next.Revoked(Live)));
    }

    [Fact]
    public void Removing_policies_revokes_nothing()
    {
        Assert.Empty(PolicySet.Empty.Revoked(Live));
    }

    [Fact]
    public void Strict_mtls_revokes_plaintext_only()
    {
        var next = PolicySet.Create([], [Mode(MtlsMode.Strict, "shop")]);

        var r = Assert.Single(next.Revoked(Live));
        Assert.Equal("legacy-8080", r.Handle);
        Assert.Equal(DecisionReason.PlaintextRefused, r.Decision.Reason);
    }

    [Fact]
    public void A_relabelled_workload_is_judged_by_its_new_labels()
    {
        // The connection was made while web-1 was labelled app=web; the new config labels it app=old.
        var relabelled = Workload(Web.Uid, "shop", "app=old");
        var next = PolicySet.Create([PolicyIn(PolicyAction.Deny, "shop", "retire-old", [PolicyRule.Any], selector: "app=old")], [], workloads: [relabelled]);

        Assert.Equal(["client-8080", "client-9090", "other-8080", "legacy-8080"], Handles(next.Revoked(Live)));
    }

    [Fact]
    public void Revoked_accepts_any_handle_type()
    {
        var handles = new object();
        var next = Set(Deny("all", PolicyRule.Any));

        var r = Assert.Single(next.Revoked([(handles, Plaintext())]));

        Assert.Same(handles, r.Handle);
    }

    [Fact]
    public void Authorizer_swaps_then_reports_and_logs()
    {
        var logger = new TestLogger();
        var authorizer = new Authorizer(PolicySet.Empty, logger);
        Assert.True(authorizer.Evaluate(Mtls(port: 9090)).Allowed);
        var next = Set(Deny("no-9090", To(Ports(9090))));

        var revoked = authorizer.Update(next, Live);

        Assert.Same(next, authorizer.Policies);
        Assert.False(authorizer.Evaluate(Mtls(port: 9090)).Allowed);
        Assert.Equal(["client-9090"], Handles(revoked));
        var applied = Assert.Single(logger.Entries, e => e.EventId == 7001);
        Assert.Equal("authorization policies applied: 1 policies, 0 mtls entries; 1 live connections no longer allowed", applied.Message);
        var logged = Assert.Single(logger.Entries, e => e.EventId == 7002);
        Assert.Equal(
            "connection to shop/web-1 port 9090 from spiffe://cluster.local/ns/shop/sa/client (10.77.0.3) no longer allowed: denied by DENY policy shop/no-9090",
            logged.Message);
    }

    [Fact]
    public void Authorizer_logs_plaintext_sources_as_such()
    {
        var logger = new TestLogger();
        var authorizer = new Authorizer(PolicySet.Empty, logger);

        authorizer.Update(PolicySet.Create([], [Mode(MtlsMode.Strict)]), Live);

        Assert.Contains(logger.Entries, e => e.EventId == 7002 && e.Message.Contains("from plaintext (10.77.0.4)", StringComparison.Ordinal));
    }

    private static PolicySet Set(params AuthorizationPolicy[] policies) => PolicySet.Create(policies, [], workloads: [Web, Db]);

    private static string[] Handles(IEnumerable<RevokedConnection<string>> revoked) => [.. revoked.Select(r => r.Handle)];
}
