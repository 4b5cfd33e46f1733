using System.Net;
using System.Net.Sockets;
using Weft.Capture.Maps;
using Weft.Capture.Tests.Support;
using Weft.Tests.Shared;

namespace Weft.Capture.Tests;

/// <summary>
/// sk_lookup on a real kernel: with the program attached to a pod's namespace and a listener
/// registered for the pod's address, SYNs to any port of that address land on the listener
/// (which keeps the original address and port as its local end); 127.0.0.6 and removed or
/// detached steering reach the application.
/// </summary>
public sealed class InboundSteeringTests
{
    private static readonly TimeSpan Wait = CaptureLab.Wait;

    [RootFact]
    public async Task IPv6_connections_are_steered_too_and_the_pods_own_address_as_source_is_the_agents_way_through()
    {
        using var t = CaptureLab.Create(nameof(InboundSteeringTests) + "6");
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var app = b.Serve(9090);
        var capture = t.StartCapture(node);
        var plain = await t.ListenAsync(b, new IPEndPoint(IPAddress.IPv6Loopback, WeftConstants.InboundPlainPort));
        t.Own(capture.AttachInbound(t.Netns(b)));
        capture.SetListener(b.Address6!, ListenerKind.Plain, plain);

        var send = a.SendAsync(new IPEndPoint(b.Address6!, 9090), 500);
        using (var conn = await t.AcceptAsync(plain, send))
        {
            Assert.Equal(new IPEndPoint(b.Address6!, 9090), conn.LocalEndPoint);
            Assert.Equal(a.Address6, ((IPEndPoint)conn.RemoteEndPoint!).Address);
            Assert.Equal(500, await ProbeWire.AnswerAsync(conn, Wait));
        }

        Assert.True((await send).Ok);
        Assert.Equal(1UL, capture.Counter(WeftCounter.LookupSteered));

        // From the destination address itself, inside the pod (how the agent reaches the application): passes.
        var agentSide = await t.SocketAsync(b, AddressFamily.InterNetworkV6, new IPEndPoint(b.Address6!, 0));
        var digest = await ProbeWire.SendNothingAsync(agentSide, new IPEndPoint(b.Address6!, 9090), Wait);
        Assert.Contains("\"bytes\":0", digest, StringComparison.Ordinal);
        Assert.False(CaptureLab.HasPending(plain));
        Assert.Equal(1UL, capture.Counter(WeftCounter.LookupSkipAgent));
        Assert.Equal(1UL, capture.Counter(WeftCounter.LookupSteered));
    }

    [RootFact]
    public async Task Connections_to_the_pod_address_land_on_the_registered_listener_until_it_is_removed_or_detached()
    {
        using var t = CaptureLab.Create(nameof(InboundSteeringTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var app = b.Serve(9090);
        var capture = t.StartCapture(node);
        var plain = await t.ListenAsync(b, new IPEndPoint(IPAddress.Loopback, WeftConstants.InboundPlainPort));
        var link = t.Own(capture.AttachInbound(t.Netns(b)));
        capture.SetListener(b.Address, ListenerKind.Plain, plain);

        // A port nothing listens on, and the application's own port: both go to the listener.
        foreach (var port in new[] { 8080, 9090 })
        {
            var send = a.SendAsync(new IPEndPoint(b.Address, port), 500);
            using var conn = await t.AcceptAsync(plain, send);
            Assert.Equal(new IPEndPoint(b.Address, port), conn.LocalEndPoint);
            Assert.Equal(a.Address, ((IPEndPoint)conn.RemoteEndPoint!).Address);
            Assert.Equal(500, await ProbeWire.AnswerAsync(conn, Wait));
            var r = await send;
            Assert.True(r.Ok, r.Error);
            Assert.Equal($"{b.Address}:{port}", r.Remote);
        }

        Assert.Equal(2UL, capture.Counter(WeftCounter.LookupSteered));
        Assert.Empty(ProbeWire.Served(app));

        // The agent reaching the application: from 127.0.0.6, inside the pod, passes.
        var agentSide = await t.SocketAsync(b, AddressFamily.InterNetwork, new IPEndPoint(WeftConstants.InboundSourceV4, 0));
        var digest = await ProbeWire.SendNothingAsync(agentSide, new IPEndPoint(b.Address, 9090), Wait);
        Assert.Contains("\"bytes\":0", digest, StringComparison.Ordinal);
        Assert.Equal("10.77.0.3:9090", (await ProbeWire.WaitServedAsync(app, "127.0.0.6:", Wait)).Local);
        Assert.False(CaptureLab.HasPending(plain));
        Assert.Equal(1UL, capture.Counter(WeftCounter.LookupSkipAgent));

        // Control: the same from the pod's own address inside the pod is steered.
        var fromPod = await t.SocketAsync(b, AddressFamily.InterNetwork);
        var fromPodSend = ProbeWire.SendNothingAsync(fromPod, new IPEndPoint(b.Address, 9090), Wait);
        using (var conn = await t.AcceptAsync(plain))
        {
            Assert.Equal(b.Address, ((IPEndPoint)conn.RemoteEndPoint!).Address);
            await ProbeWire.AnswerAsync(conn, Wait);
        }

        await fromPodSend;

        // Port 15008 looks for the tunnel listener, not the plain one; none registered: passes (refused).
        var tunnelPort = await a.SendAsync(new IPEndPoint(b.Address, WeftConstants.InboundTunnelPort), 0);
        Assert.False(tunnelPort.Ok);
        Assert.Contains("ConnectionRefused", tunnelPort.Error, StringComparison.Ordinal);
        Assert.False(CaptureLab.HasPending(plain));

        // Listener removed: direct to the application again, a port without one is refused.
        capture.RemoveListener(b.Address, ListenerKind.Plain);
        await AssertReachesAppAsync();
        var refused = await a.SendAsync(new IPEndPoint(b.Address, 8080), 0);
        Assert.False(refused.Ok);
        Assert.Contains("ConnectionRefused", refused.Error, StringComparison.Ordinal);

        // Registered again: steered; then the link disposed: direct although the listener is still registered.
        capture.SetListener(b.Address, ListenerKind.Plain, plain);
        var again = a.SendAsync(new IPEndPoint(b.Address, 9090), 10);
        using (var conn = await t.AcceptAsync(plain, again))
        {
            await ProbeWire.AnswerAsync(conn, Wait);
        }

        Assert.True((await again).Ok);
        link.Dispose();
        await AssertReachesAppAsync();
        Assert.Equal(4UL, capture.Counter(WeftCounter.LookupSteered));
        Assert.Equal(0UL, capture.Counter(WeftCounter.LookupAssignFailed));

        async Task AssertReachesAppAsync()
        {
            var r = await a.SendAsync(new IPEndPoint(b.Address, 9090), 100);
            Assert.True(r.Ok, r.Error);
            Assert.Equal("10.77.0.3:9090", (await ProbeWire.WaitServedAsync(app, r.Local!, Wait)).Local);
            Assert.False(CaptureLab.HasPending(plain));
        }
    }

    [RootFact]
    public async Task Capture_exclusions_apply_to_outbound_destinations_only_never_to_inbound_steering()
    {
        using var t = CaptureLab.Create(nameof(InboundSteeringTests) + "x");
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var app = b.Serve(8080);
        var capture = t.StartCapture(node);
        var plain = await t.ListenAsync(b, new IPEndPoint(IPAddress.Loopback, WeftConstants.InboundPlainPort));
        t.Own(capture.AttachInbound(t.Netns(b)));
        capture.SetListener(b.Address, ListenerKind.Plain, plain);

        // The port and the pod's own network excluded (for the pods' outbound traffic): a
        // client reaching b:8080 must still meet the agent (policy, STRICT), not the application.
        capture.SetExclusions([8080], [IPNetwork.Parse("10.77.0.0/16")]);
        var send = a.SendAsync(new IPEndPoint(b.Address, 8080), 300);
        using (var conn = await t.AcceptAsync(plain, send))
        {
            Assert.Equal(new IPEndPoint(b.Address, 8080), conn.LocalEndPoint);
            Assert.Equal(300, await ProbeWire.AnswerAsync(conn, Wait));
        }

        Assert.True((await send).Ok);
        Assert.Equal(1UL, capture.Counter(WeftCounter.LookupSteered));
        Assert.Empty(ProbeWire.Served(app));
    }

    [RootFact]
    public async Task Port_15008_lands_on_the_tunnel_listener()
    {
        using var t = CaptureLab.Create(nameof(InboundSteeringTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        var capture = t.StartCapture(node);
        var plain = await t.ListenAsync(b, new IPEndPoint(IPAddress.Loopback, WeftConstants.InboundPlainPort));
        var tunnel = await t.ListenAsync(b, new IPEndPoint(IPAddress.Loopback, WeftConstants.InboundTunnelPort));
        t.Own(capture.AttachInbound(t.Netns(b)));
        capture.SetListener(b.Address, ListenerKind.Plain, plain);
        capture.SetListener(b.Address, ListenerKind.Tunnel, tunnel);

        var send = a.SendAsync(new IPEndPoint(b.Address, WeftConstants.InboundTunnelPort), 10);
        using var conn = await t.AcceptAsync(tunnel, send);
        Assert.Equal(new IPEndPoint(b.Address, WeftConstants.InboundTunnelPort), conn.LocalEndPoint);
        await ProbeWire.AnswerAsync(conn, Wait);
        Assert.True((await send).Ok);
        Assert.False(CaptureLab.HasPending(plain));
    }
}
