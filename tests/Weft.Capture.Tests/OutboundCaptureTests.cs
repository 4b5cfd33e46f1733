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
        Assert.False(capture.TryTakeOriginalDestination(cookie + 1, peer, out _), "the entry is keyed by netns cookie too");
        Assert.False(capture.TryTakeOriginalDestination(cookie, new IPEndPoint(IPAddress.IPv6Loopback, peer.Port), out _), "the entry is keyed by family too");
        Assert.False(capture.TryTakeOriginalDestination(cookie, new IPEndPoint(a.Address, peer.Port), out _), "the entry is keyed by the client's address too");
        Assert.True(capture.TryTakeOriginalDestination(cookie, peer, out var original), $"no original destination for ({cookie}, {peer})");
        Assert.Equal(new IPEndPoint(b.Address, 8080), original);
        Assert.False(capture.TryTakeOriginalDestination(cookie, peer, out _), "an entry is taken once");
        Assert.Equal(1000, await ProbeWire.AnswerAsync(conn, Wait));

        var result = await send;
        Assert.True(result.Ok, result.Error);
        // getpeername in the application shows the original destination; the key's port is the application's own.
        Assert.Equal("10.77.0.3:8080", result.Remote);
        Assert.EndsWith($":{peer.Port}", result.Local, StringComparison.Ordinal);
        Assert.Empty(ProbeWire.Served(server));
        Assert.Equal(1UL, capture.Counter(WeftCounter.ConnectRedirected));
        Assert.Equal(1UL, capture.Counter(WeftCounter.SockopsIndexed));

        // The connection closed: sockops (TCP_CLOSE) drops the getpeername entry too.
        conn.Dispose();
        Assert.True(
            await HostTools.EventuallyAsync(() => capture.Counter(WeftCounter.SockopsReleased) == 1UL, Wait),
            "weft_orig_by_cookie still has the closed connection");
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
        Assert.True(capture.TryTakeOriginalDestination(cookie, peer, out var original));
        Assert.Equal(new IPEndPoint(b.Address6, 8080), original);
        await ProbeWire.AnswerAsync(conn, Wait);
        var result = await send;
        Assert.True(result.Ok, result.Error);
        Assert.Equal($"[{b.Address6}]:8080", result.Remote);

        conn.Dispose();
        Assert.True(await HostTools.EventuallyAsync(() => capture.Counter(WeftCounter.SockopsReleased) == 1UL, Wait));
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
        Assert.True(capture.TryTakeOriginalDestination(cookie, peer, out var original));
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

    /// <summary>
    /// A fire-and-forget client (connect, write, close) can be done before the agent accepts: its data
    /// waits in the accept queue, and the agent still needs the original destination to deliver it.
    /// </summary>
    [RootFact]
    public async Task The_original_destination_survives_an_application_that_closed_before_the_agent_accepted()
    {
        var python = PodScripts.RequirePython();
        using var t = CaptureLab.Create(nameof(OutboundCaptureTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        var capture = t.StartCapture(node);
        var cookie = await t.EnrollAsync(capture, a);
        var listener = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));

        var app = a.Start(python, "-c", """
            import socket
            s = socket.create_connection(("10.77.0.3", 8080), timeout=10)
            print(s.getsockname()[1], flush=True)
            s.sendall(b"hello")
            s.close()
            """);
        Assert.True(await app.Exited.WaitAsync(Wait) == 0, app.Stderr);
        var port = int.Parse(app.StdoutLines[0], System.Globalization.CultureInfo.InvariantCulture);
        // The kernel has acknowledged the application's FIN: its socket is an orphan in FIN-WAIT-2.
        Assert.True(
            await HostTools.EventuallyAsync(() => HostTools.Run("ip", "netns", "exec", a.NetnsName, "ss", "-Htan", "state", "fin-wait-2").Contains($":{port} ", StringComparison.Ordinal), Wait),
            "the application's socket did not reach FIN-WAIT-2");

        using var conn = await t.AcceptAsync(listener);
        var buffer = new byte[16];
        Assert.Equal(5, await conn.ReceiveAsync(buffer, SocketFlags.None));
        Assert.Equal(port, ((IPEndPoint)conn.RemoteEndPoint!).Port);

        Assert.True(
            capture.TryTakeOriginalDestination(cookie, (IPEndPoint)conn.RemoteEndPoint!, out var original),
            $"the original destination of ({cookie}, {port}) is gone although the agent has not served the connection yet " +
            $"(SockopsIndexed {capture.Counter(WeftCounter.SockopsIndexed)}, SockopsReleased {capture.Counter(WeftCounter.SockopsReleased)})");
        Assert.Equal(new IPEndPoint(b.Address, 8080), original);
    }

    /// <summary>
    /// A socket the application bound to its pod address and an unbound one (which leaves from
    /// 127.0.0.1 after the redirect) are different 4-tuples too, so they may share a local port; a
    /// one-port ephemeral range makes it certain. Each keeps its own original destination.
    /// </summary>
    [RootFact]
    public async Task Connections_sharing_a_local_port_from_different_local_addresses_keep_their_own_original_destinations()
    {
        using var t = CaptureLab.Create(nameof(OutboundCaptureTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        HostTools.Run("ip", "netns", "exec", a.NetnsName, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40000");
        var python = PodScripts.RequirePython();
        var capture = t.StartCapture(node);
        var cookie = await t.EnrollAsync(capture, a);
        var listener = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));

        using var app = a.Start(python, "-c", """
            import socket, time
            s1 = socket.create_connection(("10.77.0.3", 8080), timeout=10)
            s2 = socket.socket()
            s2.settimeout(10)
            s2.bind(("10.77.0.2", 0))
            s2.connect(("10.77.0.3", 9090))
            print(s1.getsockname()[1], s2.getsockname()[1], flush=True)
            time.sleep(30)
            """);
        using var first = await t.AcceptAsync(listener);
        using var second = await t.AcceptAsync(listener);
        var ends = new[] { (IPEndPoint)first.RemoteEndPoint!, (IPEndPoint)second.RemoteEndPoint! };
        Assert.Equal(ends[0].Port, ends[1].Port);
        Assert.NotEqual(ends[0].Address, ends[1].Address);

        foreach (var end in ends)
        {
            Assert.True(capture.TryTakeOriginalDestination(cookie, end, out var original), $"no original destination for {end}");
            var expected = end.Address.Equals(IPAddress.Loopback) ? 8080 : 9090;
            Assert.Equal(new IPEndPoint(b.Address, expected), original);
        }

        app.Kill();
    }

    /// <summary>
    /// An IPv4 connection (to 127.0.0.1:15001) and an IPv6 one (to [::1]:15001) are different
    /// 4-tuples, so the kernel may give both the same local port. A one-port ephemeral range in the
    /// pod makes that certain instead of occasional.
    /// </summary>
    [RootFact]
    public async Task IPv4_and_IPv6_connections_sharing_a_local_port_keep_their_own_original_destinations()
    {
        using var t = CaptureLab.Create(nameof(OutboundCaptureTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        Assert.NotNull(b.Address6);
        HostTools.Run("ip", "netns", "exec", a.NetnsName, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40000");
        var capture = t.StartCapture(node);
        var cookie = await t.EnrollAsync(capture, a);
        var listener4 = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));
        var listener6 = await t.ListenAsync(a, new IPEndPoint(IPAddress.IPv6Loopback, WeftConstants.OutboundPort));

        var send4 = a.SendAsync(new IPEndPoint(b.Address, 8080), 10);
        Assert.True(await HostTools.EventuallyAsync(() => CaptureLab.HasPending(listener4), Wait), "the IPv4 connection did not arrive");
        var send6 = a.SendAsync(new IPEndPoint(b.Address6, 8080), 10);
        Assert.True(await HostTools.EventuallyAsync(() => CaptureLab.HasPending(listener6), Wait), "the IPv6 connection did not arrive");
        using var conn4 = await t.AcceptAsync(listener4);
        using var conn6 = await t.AcceptAsync(listener6);
        var port = ((IPEndPoint)conn4.RemoteEndPoint!).Port;
        Assert.Equal(port, ((IPEndPoint)conn6.RemoteEndPoint!).Port);

        Assert.True(capture.TryTakeOriginalDestination(cookie, (IPEndPoint)conn4.RemoteEndPoint!, out var original4));
        Assert.Equal(new IPEndPoint(b.Address, 8080), original4);
        Assert.True(capture.TryTakeOriginalDestination(cookie, (IPEndPoint)conn6.RemoteEndPoint!, out var original6));
        Assert.Equal(new IPEndPoint(b.Address6, 8080), original6);
        await ProbeWire.AnswerAsync(conn4, Wait);
        await ProbeWire.AnswerAsync(conn6, Wait);
        Assert.True((await send4).Ok);
        Assert.True((await send6).Ok);
    }
}
