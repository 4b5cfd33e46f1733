using System.Net;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests.TwoNode;

/// <summary>
/// ALLOW, DENY, STRICT and PERMISSIVE enforced by the destination's agent on real traffic across
/// two nodes, and a policy change closing the live connections it no longer allows.
/// </summary>
public abstract class PolicyEnforcementTests(TwoNodeFixture fixture) : IAsyncLifetime
{
    private const string DenyClient = """
        policies:
          - name: deny-client
            namespace: shop
            selector: { app: web }
            action: DENY
            rules:
              - from:
                  - principals: [cluster.local/ns/shop/sa/client]
        """;

    private const string AllowApiOnly = """
        policies:
          - name: api-only
            namespace: shop
            selector: { app: web }
            action: ALLOW
            rules:
              - from:
                  - principals: [cluster.local/ns/shop/sa/api]
        """;

    private const string StrictShop = """
        mtls:
          - namespace: shop
            mode: STRICT
        """;

    private TwoNodeMesh Mesh => fixture.Mesh;

    private IPEndPoint WebB => new(Mesh.WebB.Address, TwoNodeMesh.AppPort);

    public Task InitializeAsync() => Task.CompletedTask;

    // Every test starts from no policy; put that back whatever a test did.
    public async Task DisposeAsync()
    {
        if (Environment.IsPrivilegedProcess)
        {
            await Mesh.ReconfigureAsync(null);
        }
    }

    [RootFact]
    public async Task A_deny_policy_refuses_its_principal_with_401_and_lets_other_identities_through()
    {
        await Mesh.ReconfigureAsync(DenyClient);
        var skipA = Mesh.AgentA.AccessLog.Count;
        var denied = await Mesh.ClientA.SendAsync(WebB, 4096, TwoNodeMesh.ReplyBytes);
        Assert.False(denied.Ok, "shop/client got through a DENY policy naming it");
        var outbound = (await Mesh.AgentA.WaitForAccessAsync(r => r.Direction == "outbound" && r.OriginalDestination == WebB.ToString(), 1, TwoNodeMesh.Wait, skipA))[0];
        Assert.StartsWith("tunnel Denied (401)", outbound.Result, StringComparison.Ordinal);
        await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.SourceWorkload == "shop/client-a" && r.Result == "denied by DENY policy shop/deny-client");

        await Mesh.SendAsync(Mesh.ApiB, WebB, "web-b");
    }

    [RootFact]
    public async Task An_allow_policy_admits_only_what_it_matches_plaintext_included()
    {
        await Mesh.ReconfigureAsync(AllowApiOnly);
        Assert.False((await Mesh.ClientA.SendAsync(WebB, 4096, TwoNodeMesh.ReplyBytes)).Ok, "shop/client is not in the ALLOW policy");
        await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.SourceWorkload == "shop/client-a" && r.Result == "denied: no ALLOW policy matched");
        Assert.False((await Mesh.LegacyB.SendAsync(WebB, 4096, TwoNodeMesh.ReplyBytes)).Ok, "plaintext has no principal to match");
        await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.SourceWorkload == "legacy/legacy-b" && r.Security == "plaintext" && r.Result == "denied: no ALLOW policy matched");

        await Mesh.SendAsync(Mesh.ApiB, WebB, "web-b");

        // The policy selects app=web only: api-b stays open to everyone.
        await Mesh.SendAsync(Mesh.ClientA, new IPEndPoint(Mesh.ApiB.Address, TwoNodeMesh.AppPort), "api-b");
    }

    [RootFact]
    public async Task Strict_mode_refuses_plaintext_while_mutual_tls_passes()
    {
        await Mesh.ReconfigureAsync(StrictShop);
        Assert.False((await Mesh.LegacyB.SendAsync(WebB, 4096, TwoNodeMesh.ReplyBytes)).Ok, "plaintext reached a STRICT workload");
        await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.SourceWorkload == "legacy/legacy-b" && r.Result == "denied: plaintext refused, mTLS mode is STRICT");

        // IPv6 is steered the same way: no way around STRICT through the pod's other address.
        var webB6 = new IPEndPoint(Mesh.WebB.Address6!, TwoNodeMesh.AppPort);
        Assert.False((await Mesh.LegacyB.SendAsync(webB6, 4096, TwoNodeMesh.ReplyBytes)).Ok, "plaintext reached a STRICT workload over IPv6");
        await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.OriginalDestination == webB6.ToString() && r.Result == "denied: plaintext refused, mTLS mode is STRICT");
        await Mesh.SendAsync(Mesh.ClientA, WebB, "web-b");

        // Back to PERMISSIVE (no entry): plaintext is accepted again.
        await Mesh.ReconfigureAsync(null);
        await Mesh.SendAsync(Mesh.LegacyB, WebB, "web-b");
    }

    [RootFact]
    public async Task A_policy_change_closes_the_live_tunnelled_connections_it_no_longer_allows()
    {
        // About 12 s of traffic, 64 KB every 250 ms: open well past the change.
        var sending = Mesh.ClientA.SendAsync(WebB, 48L * 64256, TwoNodeMesh.ReplyBytes, timeout: TimeSpan.FromSeconds(60), pace: TimeSpan.FromMilliseconds(250));
        await WaitEstablishedAsync(Mesh.WebB, "127.0.0.6");
        await Mesh.ReconfigureAsync(DenyClient);

        var result = await sending;
        Assert.False(result.Ok, "the connection outlived the policy that forbids it");
        var revoked = await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.SourceWorkload == "shop/client-a" && r.Result.StartsWith("revoked:", StringComparison.Ordinal));
        Assert.Equal("revoked: denied by DENY policy shop/deny-client", revoked.Result);
        Assert.Equal("mutual_tls", revoked.Security);
    }

    [RootFact]
    public async Task Turning_strict_closes_live_plaintext_connections()
    {
        var sending = Mesh.LegacyB.SendAsync(WebB, 48L * 64256, TwoNodeMesh.ReplyBytes, timeout: TimeSpan.FromSeconds(60), pace: TimeSpan.FromMilliseconds(250));
        await WaitEstablishedAsync(Mesh.WebB, "127.0.0.6");
        await Mesh.ReconfigureAsync(StrictShop);

        Assert.False((await sending).Ok, "plaintext outlived STRICT");
        await TwoNodeMesh.OneAsync(Mesh.AgentB, r => r.SourceWorkload == "legacy/legacy-b" && r.Result == "revoked: denied: plaintext refused, mTLS mode is STRICT");
    }

    /// <summary>Until the application in <paramref name="pod"/> holds a connection from <paramref name="from"/> (the agent's 127.0.0.6).</summary>
    private static async Task WaitEstablishedAsync(Weft.Lab.LabPod pod, string from)
    {
        var ok = await HostTools.EventuallyAsync(
            // The probe server is dual-stack: ss shows the peer as [::ffff:127.0.0.6]:port.
            () => HostTools.Run("nsenter", $"--net={pod.NetnsPath}", "ss", "-Htn", "state", "established", $"( sport = :{TwoNodeMesh.AppPort} )")
                .Contains(from, StringComparison.Ordinal),
            TwoNodeMesh.Wait);
        Assert.True(ok, $"no connection from {from} reached {pod.Name}");
    }
}

/// <summary>Policies and workloads in the agents' config files.</summary>
public sealed class StandalonePolicyEnforcementTests(TwoNodeFixture fixture) : PolicyEnforcementTests(fixture), IClassFixture<TwoNodeFixture>;

/// <summary>
/// Policies in the settings file (the ConfigMap), workloads from the (stand-in) Kubernetes API:
/// the principals policies name are the pods' service accounts there.
/// </summary>
public sealed class KubernetesPolicyEnforcementTests(KubernetesTwoNodeFixture fixture) : PolicyEnforcementTests(fixture), IClassFixture<KubernetesTwoNodeFixture>;
