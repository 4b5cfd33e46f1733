using System.Net;
using System.Net.Sockets;
using Weft.Capture.Maps;
using Weft.Capture.Tests.Support;
using Weft.Tests.Shared;

namespace Weft.Capture.Tests;

/// <summary>
/// What connect4/6 let pass although the pod is enrolled: the agent's own (marked) sockets,
/// loopback destinations, excluded ports and CIDRs. Each must reach the real server, leave the
/// test's outbound listener alone and count in its counter.
/// </summary>
public sealed class SkipTests
{
    private static readonly TimeSpan Wait = CaptureLab.Wait;

    [RootFact]
    public async Task Loopback_destinations_are_not_captured()
    {
        using var t = CaptureLab.Create(nameof(SkipTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        using var local = a.Serve(9000);
        var capture = t.StartCapture(node);
        await t.EnrollAsync(capture, a);
        var listener4 = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));
        var listener6 = await t.ListenAsync(a, new IPEndPoint(IPAddress.IPv6Loopback, WeftConstants.OutboundPort));

        var v4 = await a.SendAsync(new IPEndPoint(IPAddress.Loopback, 9000), 100);
        var v6 = await a.SendAsync(new IPEndPoint(IPAddress.IPv6Loopback, 9000), 100);
        // Anywhere in 127/8, not only 127.0.0.1.
        var other = await a.SendAsync(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 9000), 100);

        Assert.True(v4.Ok, v4.Error);
        Assert.True(v6.Ok, v6.Error);
        Assert.True(other.Ok, other.Error);
        Assert.Equal("127.0.0.1:9000", (await ProbeWire.WaitServedAsync(local, v4.Local!, Wait)).Local);
        Assert.Equal("[::1]:9000", (await ProbeWire.WaitServedAsync(local, v6.Local!, Wait)).Local);
        Assert.Equal("127.0.0.5:9000", (await ProbeWire.WaitServedAsync(local, other.Local!, Wait)).Local);
        Assert.False(CaptureLab.HasPending(listener4));
        Assert.False(CaptureLab.HasPending(listener6));
        Assert.Equal(3UL, capture.Counter(WeftCounter.ConnectSkipLoopback));
        Assert.Equal(0UL, capture.Counter(WeftCounter.ConnectRedirected));
    }

    [RootFact]
    public async Task The_agent_mark_exempts_only_sockets_of_the_agents_own_cgroup()
    {
        var python = PodScripts.RequirePython();
        using var t = CaptureLab.Create(nameof(SkipTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var server = b.Serve(8080);
        var to = new IPEndPoint(b.Address, 8080);

        // A pod (with CAP_NET_RAW) forging the agent's mark is still captured.
        var capture = t.StartCapture(node);
        await t.EnrollAsync(capture, a);
        var listener = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));
        var forged = PodScripts.Connect(a, python, AddressFamily.InterNetwork, to, WeftConstants.Mark);
        var conn = await t.AcceptAsync(listener);
        await ProbeWire.AnswerAsync(conn, Wait);
        Assert.Equal("10.77.0.3:8080", (await PodScripts.ResultAsync(forged)).Remote);
        Assert.Equal(0UL, capture.Counter(WeftCounter.ConnectSkipMark));
        Assert.Equal(1UL, capture.Counter(WeftCounter.ConnectRedirected));
        capture.Dispose();
        listener.Dispose();

        // The same marked connect from the cgroup declared as the agent's passes untouched;
        // unmarked, from that same cgroup, it is captured: both conditions are needed.
        var podCgroup = Weft.Platform.Netns.NetworkNamespace.CurrentInode(a.CgroupPath)!.Value;
        capture = t.Own(BpfCapture.Start(t.Options(node, "agent") with { AgentCgroupId = podCgroup }, t.Log));
        await t.EnrollAsync(capture, a);
        listener = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));
        var marked = await PodScripts.ResultAsync(PodScripts.Connect(a, python, AddressFamily.InterNetwork, to, WeftConstants.Mark));
        Assert.Equal("10.77.0.3:8080", marked.Remote);
        await ProbeWire.WaitServedAsync(server, "10.77.0.2:", Wait);
        Assert.False(CaptureLab.HasPending(listener), "the agent's marked socket was captured");
        Assert.Equal(1UL, capture.Counter(WeftCounter.ConnectSkipMark));

        var unmarked = PodScripts.Connect(a, python, AddressFamily.InterNetwork, to, mark: 0x538);
        conn = await t.AcceptAsync(listener);
        await ProbeWire.AnswerAsync(conn, Wait);
        Assert.Equal("10.77.0.3:8080", (await PodScripts.ResultAsync(unmarked)).Remote);
        Assert.Equal(1UL, capture.Counter(WeftCounter.ConnectRedirected));
    }

    [RootFact]
    public async Task Excluded_ports_and_CIDRs_are_not_captured_and_SetExclusions_replaces_the_set()
    {
        using var t = CaptureLab.Create(nameof(SkipTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var server = b.Serve(8080, 0, 8081);
        var capture = t.StartCapture(node);
        await t.EnrollAsync(capture, a);
        var listener4 = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));
        var listener6 = await t.ListenAsync(a, new IPEndPoint(IPAddress.IPv6Loopback, WeftConstants.OutboundPort));

        // Port 8080 excluded: direct; 8081 still captured.
        capture.SetExclusions([8080], []);
        await AssertDirectAsync(new IPEndPoint(b.Address, 8080), 1);
        await AssertCapturedAsync(listener4, new IPEndPoint(b.Address, 8081), 1);

        // Replaced by the pod's /32: 8081 direct now.
        capture.SetExclusions([], [IPNetwork.Parse("10.77.0.3/32")]);
        await AssertDirectAsync(new IPEndPoint(b.Address, 8081), 2);

        // A CIDR that does not contain b, and no ports: 8080 is captured again (the old entries are gone).
        capture.SetExclusions([], [IPNetwork.Parse("10.77.1.0/24")]);
        await AssertCapturedAsync(listener4, new IPEndPoint(b.Address, 8080), 2);

        // The subnet, and an IPv6 prefix.
        capture.SetExclusions([], [IPNetwork.Parse("10.77.0.0/16"), IPNetwork.Parse("fd00:77::/64")]);
        await AssertDirectAsync(new IPEndPoint(b.Address, 8080), 3);
        Assert.NotNull(b.Address6);
        await AssertDirectAsync(new IPEndPoint(b.Address6, 8080), 4);
        capture.SetExclusions([], []);
        await AssertCapturedAsync(listener6, new IPEndPoint(b.Address6, 8080), 3);

        async Task AssertDirectAsync(IPEndPoint to, ulong skipped)
        {
            var r = await a.SendAsync(to, 100);
            Assert.True(r.Ok, $"{to}: {r.Error}");
            Assert.Equal(to.ToString(), r.Remote);
            await ProbeWire.WaitServedAsync(server, r.Local!, Wait);
            Assert.False(CaptureLab.HasPending(listener4) || CaptureLab.HasPending(listener6), $"{to} was captured although excluded");
            Assert.Equal(skipped, capture.Counter(WeftCounter.ConnectSkipExcluded));
        }

        async Task AssertCapturedAsync(Socket listener, IPEndPoint to, ulong redirected)
        {
            var send = a.SendAsync(to, 100);
            using var conn = await t.AcceptAsync(listener, send);
            await ProbeWire.AnswerAsync(conn, Wait);
            var r = await send;
            Assert.True(r.Ok, $"{to}: {r.Error}");
            Assert.Equal(to.ToString(), r.Remote);
            Assert.Equal(redirected, capture.Counter(WeftCounter.ConnectRedirected));
        }
    }
}
