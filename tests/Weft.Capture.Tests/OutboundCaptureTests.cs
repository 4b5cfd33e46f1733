using System.Net;
using System.Net.Sockets;
using Weft.Capture.Maps;
using Weft.Capture.Tests.Support;
using Weft.Tests.Shared;

namespace Weft.Capture.Tests;

/// <summary>
/// cgroup/connect4+6, sockops and getpeername on a real kernel: an enrolled pod's connection
/// lands on the listener the test bound on 127.0.0.1:15001 ([::1]:15001) in that pod, the
/// original destination can be looked up by (netns cookie, client port), the application still
/// sees whom it connected to, and the entry goes when the connection does.
/// </summary>
public sealed class OutboundCaptureTests
{
    private static readonly TimeSpan Wait = CaptureLab.Wait;

    [RootFact]
    public async Task Enrolled_pods_IPv4_connect_lands_on_the_outbound_listener_with_its_original_destination()
    {
        using var t = CaptureLab.Create(nameof(OutboundCaptureTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var server = b.Serve(8080);
        var capture = t.StartCapture(node);
        var cookie = await t.EnrollAsync(capture, a, podId: 7);
        Assert.Contains(cookie, capture.EnrolledCookies());
        var listener = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));

        var send = a.SendAsync(new IPEndPoint(b.Address, 8080), 1000);
        var conn = await t.AcceptAsync(listener, send);

        var peer = (IPEndPoint)conn.RemoteEndPoint!;
        Assert.Equal(IPAddress.Loopback, peer.Address);
        Assert.True(capture.TryGetOriginalDestination(cookie, peer.Port, out var original), $"no original destination for ({cookie}, {peer.Port})");
        Assert.Equal(new IPEndPoint(b.Address, 8080), original);
        Assert.False(capture.TryGetOriginalDestination(cookie + 1, peer.Port, out _), "the entry is keyed by netns cookie too");
        Assert.Equal(1000, await ProbeWire.AnswerAsync(conn, Wait));

        var result = await send;
        Assert.True(result.Ok, result.Error);
        // getpeername in the application shows the original destination, getsockname the real (loopback) source.
        Assert.Equal("10.77.0.3:8080", result.Remote);
        Assert.Equal($"127.0.0.1:{peer.Port}", result.Local);
        Assert.Empty(ProbeWire.Served(server));
        Assert.Equal(1UL, capture.Counter(WeftCounter.ConnectRedirected));
        Assert.Equal(1UL, capture.Counter(WeftCounter.SockopsIndexed));

        // The application closed its socket: sockops (TCP_CLOSE) drops the entry.
        conn.Dispose();
        Assert.True(
            await HostTools.EventuallyAsync(() => !capture.TryGetOriginalDestination(cookie, peer.Port, out _), Wait),
            "weft_orig_by_port still has the closed connection");
        Assert.Equal(1UL, capture.Counter(WeftCounter.SockopsReleased));
    }

    [RootFact]
    public async Task Enrolled_pods_IPv6_connect_lands_on_the_IPv6_outbound_listener()
    {
        using var t = CaptureLab.Create(nameof(OutboundCaptureTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        Assert.True(b.Address6 is not null, "the lab has no IPv6 (no /proc/sys/net/ipv6)");
        var capture = t.StartCapture(node);
        var cookie = await t.EnrollAsync(capture, a);
        var listener = await t.ListenAsync(a, new IPEndPoint(IPAddress.IPv6Loopback, WeftConstants.OutboundPort));

        var send = a.SendAsync(new IPEndPoint(b.Address6, 8080), 100);
        var conn = await t.AcceptAsync(listener, send);

        var peer = (IPEndPoint)conn.RemoteEndPoint!;
        Assert.Equal(IPAddress.IPv6Loopback, peer.Address);
        Assert.True(capture.TryGetOriginalDestination(cookie, peer.Port, out var original));
        Assert.Equal(new IPEndPoint(b.Address6, 8080), original);
        await ProbeWire.AnswerAsync(conn, Wait);
        var result = await send;
        Assert.True(result.Ok, result.Error);
        Assert.Equal($"[{b.Address6}]:8080", result.Remote);

        conn.Dispose();
        Assert.True(await HostTools.EventuallyAsync(() => !capture.TryGetOriginalDestination(cookie, peer.Port, out _), Wait));
        Assert.Equal(1UL, capture.Counter(WeftCounter.SockopsReleased));
    }

    [RootFact]
    public async Task A_dual_stack_socket_to_an_IPv4_mapped_address_lands_on_the_IPv4_listener()
    {
        var python = PodScripts.RequirePython();
        using var t = CaptureLab.Create(nameof(OutboundCaptureTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        var capture = t.StartCapture(node);
        var cookie = await t.EnrollAsync(capture, a);
        var listener = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));

        var app = PodScripts.Connect(a, python, AddressFamily.InterNetworkV6, new IPEndPoint(b.Address.MapToIPv6(), 8080));
        var conn = await t.AcceptAsync(listener);

        var peer = (IPEndPoint)conn.RemoteEndPoint!;
        Assert.True(capture.TryGetOriginalDestination(cookie, peer.Port, out var original));
        // Recorded as AF_INET: the agent sees a plain IPv4 destination.
        Assert.Equal(new IPEndPoint(b.Address, 8080), original);
        await ProbeWire.AnswerAsync(conn, Wait);
        var result = await PodScripts.ResultAsync(app);
        Assert.Equal($"::ffff:{b.Address}:8080", result.Remote);
    }

    [RootFact]
    public async Task Pods_not_enrolled_or_released_connect_directly()
    {
        using var t = CaptureLab.Create(nameof(OutboundCaptureTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var server = b.Serve(8080);
        var capture = t.StartCapture(node);
        // Another pod of the node is enrolled; a is not.
        await t.EnrollAsync(capture, b);
        var listener = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));

        var direct = await a.SendAsync(new IPEndPoint(b.Address, 8080), 100);

        Assert.True(direct.Ok, direct.Error);
        Assert.Equal("10.77.0.3:8080", direct.Remote);
        Assert.StartsWith("10.77.0.2:", direct.Local, StringComparison.Ordinal);
        await ProbeWire.WaitServedAsync(server, direct.Local!, Wait);
        Assert.False(CaptureLab.HasPending(listener), "a pod that is not enrolled was captured");
        Assert.Equal(0UL, capture.Counter(WeftCounter.ConnectRedirected));

        // Enrolled, then released again: direct once more.
        var cookie = await t.EnrollAsync(capture, a);
        Assert.True(capture.Release(cookie));
        Assert.False(capture.Release(cookie));
        Assert.DoesNotContain(cookie, capture.EnrolledCookies());
        var released = await a.SendAsync(new IPEndPoint(b.Address, 8080), 100);

        Assert.True(released.Ok, released.Error);
        await ProbeWire.WaitServedAsync(server, released.Local!, Wait);
        Assert.False(CaptureLab.HasPending(listener), "a released pod was captured");
        Assert.Equal(0UL, capture.Counter(WeftCounter.ConnectRedirected));
    }
}
