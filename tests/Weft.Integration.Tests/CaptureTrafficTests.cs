using System.Diagnostics;
using System.Net;
using Weft.Lab.Mesh;
using Weft.Tests.Shared;

namespace Weft.Integration.Tests;

/// <summary>
/// Traffic between lab pods with the real agent in the middle: what it captures, what it
/// leaves alone, and that the bytes arrive unchanged (every probe checks SHA-256 digests both
/// ways, and half-closes: the server answers only after the client's FIN came through).
/// </summary>
public sealed class CaptureTrafficTests(MeshFixture fixture) : IClassFixture<MeshFixture>
{
    // Access records from earlier tests on the shared agent are ignored: a client port seen now
    // may have been used by an earlier connection too.
    private readonly int baseline = fixture.Mesh.Agent!.AccessLog.Count;

    private MeshLab Mesh => fixture.Mesh;

    private LabAgent Agent => Mesh.Agent!;

    [RootFact]
    public async Task Pod_to_pod_goes_through_the_agent_both_ways()
    {
        var to = new IPEndPoint(Mesh.Web1.Address, MeshLab.AppPort);
        var (result, served) = await Mesh.SendAsync(Mesh.Client, to, "web-1", 8 << 20);

        // Outbound from client-1 (its own identity), inbound at web-1 with the original port.
        var outbound = await OneAsync(r => r.Direction == "outbound" && r.SourceWorkload == "shop/client-1" && SamePort(r.SourceAddress, result.Local));
        Assert.Equal(to.ToString(), outbound.OriginalDestination);

        // Both pods are in the mesh: the connection went through web-1's tunnel listener, with both identities.
        Assert.Equal($"{Mesh.Web1.Address}:15008", outbound.Upstream);
        Assert.Equal(("mutual_tls", "spiffe://cluster.local/ns/shop/sa/web"), (outbound.Security, outbound.DestinationPrincipal));
        Assert.Equal("shop/web-1", outbound.DestinationWorkload);
        Assert.StartsWith(Mesh.Client.Address + ":", outbound.SourceAddress, StringComparison.Ordinal);
        Assert.Equal(8L << 20, outbound.BytesSent);
        Assert.True(outbound.BytesReceived > MeshLab.ReplyBytes);
        Assert.Equal("ok", outbound.Result);

        var inbound = await OneAsync(r => r.Direction == "inbound" && r.OriginalDestination == to.ToString() && r.BytesSent == 8L << 20);
        Assert.Equal(("shop/client-1", "spiffe://cluster.local/ns/shop/sa/client"), (inbound.SourceWorkload, inbound.SourcePrincipal));

        // The application saw whom it dialled (getpeername), and the server saw the agent's inbound hop.
        Assert.Equal(to.ToString(), result.Remote);
        Assert.StartsWith("127.0.0.6:", served.Remote, StringComparison.Ordinal);
        Assert.Equal(to.ToString(), served.Local);
    }

    [RootFact]
    public async Task Large_transfer_arrives_unchanged()
    {
        var to = new IPEndPoint(Mesh.Web2.Address, MeshLab.AppPort);
        var (result, served) = await Mesh.SendAsync(Mesh.Client, to, "web-2", 96L << 20);
        Assert.Equal(result.Sha256, served.Sha256);
        var outbound = await OneAsync(r => r.Direction == "outbound" && SamePort(r.SourceAddress, result.Local));
        Assert.Equal(96L << 20, outbound.BytesSent);
    }

    [RootFact]
    public async Task Half_close_in_both_directions()
    {
        // Nothing sent: the client's FIN alone must reach the server through both agent hops
        // before the server answers; then the server's FIN must end the client's read.
        var to = new IPEndPoint(Mesh.Web1.Address, MeshLab.AppPort);
        var result = await Mesh.Client.SendAsync(to, 0, MeshLab.ReplyBytes);
        Assert.True(result.Ok, result.Error);
        Assert.Equal(MeshLab.ReplyBytes, result.Received);
    }

    [RootFact]
    public async Task Service_address_resolves_to_its_endpoints()
    {
        var vip = new IPEndPoint(MeshLab.ServiceVip, 80);
        var locals = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var r = await Mesh.Client.SendAsync(vip, 64 * 1024, MeshLab.ReplyBytes);
            Assert.True(r.Ok, r.Error);
            Assert.Equal(vip.ToString(), r.Remote);
            locals.Add(r.Local!);
        }

        var records = new List<AccessRecord>();
        foreach (var local in locals)
        {
            records.Add(await OneAsync(a => a.Direction == "outbound" && SamePort(a.SourceAddress, local)));
        }

        Assert.All(records, a =>
        {
            Assert.Equal(vip.ToString(), a.OriginalDestination);
            Assert.Equal("shop/web", a.DestinationService);
        });

        // Round-robin over web-1 and web-2, each reached through its own tunnel listener.
        Assert.Equal(["shop/web-1", "shop/web-2"], records.Select(a => a.DestinationWorkload).Distinct().Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(
            new[] { $"{Mesh.Web1.Address}:15008", $"{Mesh.Web2.Address}:15008" },
            records.Select(a => a.Upstream).Distinct().Order(StringComparer.Ordinal).ToArray());
    }

    [RootFact]
    public async Task Pods_outside_the_mesh_talk_directly()
    {
        var before = Agent.AccessLog.Count;

        // legacy (namespace not enrolled) -> optout-1 (opted out in an enrolled namespace), and back.
        var (_, served1) = await Mesh.SendAsync(Mesh.Legacy, new IPEndPoint(Mesh.OptOut.Address, MeshLab.AppPort), "optout-1");
        var (_, served2) = await Mesh.SendAsync(Mesh.OptOut, new IPEndPoint(Mesh.Legacy.Address, MeshLab.AppPort), "legacy-1");
        Assert.StartsWith(Mesh.Legacy.Address + ":", served1.Remote, StringComparison.Ordinal);
        Assert.StartsWith(Mesh.OptOut.Address + ":", served2.Remote, StringComparison.Ordinal);

        await Task.Delay(300);
        Assert.Equal(before, Agent.AccessLog.Count);
    }

    [RootFact]
    public async Task Inbound_from_outside_the_mesh_arrives_through_the_inbound_listener()
    {
        var to = new IPEndPoint(Mesh.Web1.Address, MeshLab.AppPort);
        var (_, served) = await Mesh.SendAsync(Mesh.Legacy, to, "web-1");
        Assert.StartsWith("127.0.0.6:", served.Remote, StringComparison.Ordinal);

        var inbound = await OneAsync(r => r.Direction == "inbound" && r.SourceWorkload == "legacy/legacy-1" && r.BytesSent == 1 << 20);
        Assert.Equal(to.ToString(), inbound.OriginalDestination);
        Assert.StartsWith(Mesh.Legacy.Address + ":", inbound.SourceAddress, StringComparison.Ordinal);
        Assert.DoesNotContain(Agent.AccessLog, r => r.Direction == "outbound" && r.SourceWorkload == "legacy/legacy-1");
    }

    [RootFact]
    public async Task The_agents_own_connections_are_never_captured_again_under_200_concurrent()
    {
        var vip = new IPEndPoint(MeshLab.ServiceVip, 80);
        var skipsBefore = CounterValue("connect_skip_mark");
        var before = Agent.AccessLog.Count;

        var result = await Mesh.Client.SendAsync(vip, 256 * 1024, MeshLab.ReplyBytes, parallel: 200, timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.Ok, $"{result.Failures} of 200 failed: {result.Error}");

        var records = await Agent.WaitForAccessAsync(_ => true, before + 400, MeshLab.Wait);
        var mine = records.Skip(before).ToList();
        Assert.Equal(200, mine.Count(r => r.Direction == "outbound" && r.OriginalDestination == vip.ToString()));
        Assert.Equal(200, mine.Count(r => r.Direction == "inbound" && r.SourceWorkload == "shop/client-1"));
        Assert.All(mine, r => Assert.Equal("ok", r.Result));

        // A loop would show as the agent accepting its own upstream connections on 15001.
        Assert.DoesNotContain(mine, r => r.OriginalDestination.EndsWith(":15001", StringComparison.Ordinal) || r.SourceAddress.StartsWith("127.", StringComparison.Ordinal));

        // The agent runs inside the node's cgroup: connect4 saw each of its upstream sockets and let them pass:
        // 200 to the application, plus any new tunnel (the 200 streams share pooled HBONE connections,
        // which earlier tests may already have opened).
        var skips = CounterValue("connect_skip_mark") - skipsBefore;
        Assert.True(skips >= 200, $"connect_skip_mark rose by {skips}");
    }

    [RootFact]
    public async Task IPv6_outbound_is_captured_too()
    {
        Assert.True(Mesh.Web1.Address6 is not null, "the lab gives pods IPv6 addresses");
        var to = new IPEndPoint(Mesh.Web1.Address6!, MeshLab.AppPort);
        var (result, served) = await Mesh.SendAsync(Mesh.Client, to, "web-1");
        Assert.Equal(to.ToString(), result.Remote);

        var outbound = await OneAsync(r => r.Direction == "outbound" && r.OriginalDestination == to.ToString());
        Assert.Equal("shop/web-1", outbound.DestinationWorkload);
        Assert.StartsWith($"[{Mesh.Client.Address6}]:", outbound.SourceAddress, StringComparison.Ordinal);

        // Tunnelled like IPv4 (web-1 is in the mesh), in a tunnel to web-1's IPv4 address; inside web-1 the
        // agent reaches the application from the pod's own IPv6 address (sk_lookup's sign for "the agent").
        Assert.Equal(($"{Mesh.Web1.Address}:15008", "mutual_tls"), (outbound.Upstream, outbound.Security));
        Assert.StartsWith($"[{Mesh.Web1.Address6}]:", served.Remote, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task IPv6_inbound_from_outside_the_mesh_is_steered_to_the_agent_too()
    {
        var to = new IPEndPoint(Mesh.Web2.Address6!, MeshLab.AppPort);
        var (_, served) = await Mesh.SendAsync(Mesh.Legacy, to, "web-2");
        var inbound = await OneAsync(r => r.Direction == "inbound" && r.OriginalDestination == to.ToString());
        Assert.Equal(("legacy/legacy-1", "plaintext", "ok"), (inbound.SourceWorkload, inbound.Security, inbound.Result));
        Assert.StartsWith($"[{Mesh.Legacy.Address6}]:", inbound.SourceAddress, StringComparison.Ordinal);
        Assert.StartsWith($"[{Mesh.Web2.Address6}]:", served.Remote, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_pod_dialling_the_agents_inbound_listener_directly_is_refused_not_looped()
    {
        // 127.0.0.1:15006 is loopback, so connect4 leaves it alone and it reaches the listener
        // without sk_lookup: the agent must not proxy it (to itself, again and again).
        var result = await Mesh.Client.SendAsync(new IPEndPoint(IPAddress.Loopback, 15006), 1024, MeshLab.ReplyBytes);
        Assert.False(result.Ok);
        var refused = await OneAsync(r => r.Direction == "inbound" && r.OriginalDestination == "127.0.0.1:15006");
        Assert.Equal("not a steered destination", refused.Result);

        // And the node is fine.
        var (_, served) = await Mesh.SendAsync(Mesh.Client, new IPEndPoint(Mesh.Web1.Address, MeshLab.AppPort), "web-1");
        Assert.StartsWith("127.0.0.6:", served.Remote, StringComparison.Ordinal);
    }

    [RootFact]
    public void No_iptables_or_nftables_rules_anywhere()
    {
        foreach (var pod in Mesh.Lab.Pods)
        {
            Assert.Equal("", HostTools.Run("nsenter", $"--net={pod.NetnsPath}", "--", "nft", "list", "ruleset").Trim());
            Assert.Equal("", HostTools.Run("nsenter", $"--net={pod.NetnsPath}", "--", "cat", "/proc/net/ip_tables_names").Trim());
        }

        Assert.DoesNotContain("weft", HostTools.Run("nft", "list", "ruleset"), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The agent reports the client by its pod address and port; the client sees loopback and the same port.</summary>
    private static bool SamePort(string address, string? local) =>
        local is not null && local.EndsWith(address[address.LastIndexOf(':')..], StringComparison.Ordinal);

    private async Task<AccessRecord> OneAsync(Func<AccessRecord, bool> match)
    {
        var found = await Agent.WaitForAccessAsync(match, 1, MeshLab.Wait, baseline);
        Assert.True(found.Count == 1, $"expected one matching access record, found {found.Count}:\n{string.Join('\n', Agent.AccessLog.TakeLast(10))}");
        return found[0];
    }

    private ulong CounterValue(string name)
    {
        // Read the pinned per-CPU counters the way an operator would.
        var index = name switch
        {
            "connect_skip_mark" => 1,
            _ => throw new ArgumentException(name),
        };
        var json = HostTools.Run("bpftool", "-j", "map", "lookup", "pinned", $"{Mesh.PinDirectory}/weft_counters", "key", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "0", "0", "0");
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("formatted").GetProperty("values").EnumerateArray().Aggregate(0UL, (sum, v) => sum + v.GetProperty("value").GetUInt64());
    }
}
