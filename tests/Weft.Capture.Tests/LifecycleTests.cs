using System.Buffers.Binary;
using System.Net;
using Microsoft.Extensions.Logging;
using Weft.Capture.Maps;
using Weft.Capture.Tests.Support;
using Weft.Tests.Shared;

namespace Weft.Capture.Tests;

/// <summary>
/// Attaching and detaching on a real kernel, seen with bpftool and the bpffs: Dispose leaves
/// nothing behind and pods talk directly again; Start clears pins a killed agent left; two
/// captures (two nodes) on one kernel stay apart.
/// </summary>
public sealed class LifecycleTests
{
    private static readonly TimeSpan Wait = CaptureLab.Wait;

    private static readonly string[] MapNames =
        ["weft_enrolled", "weft_orig_by_cookie", "weft_orig_by_port", "weft_excluded_ports", "weft_excluded_cidrs", "weft_listeners", "weft_settings", "weft_counters"];

    [RootFact]
    public async Task Dispose_detaches_the_programs_removes_the_pins_and_pods_connect_directly()
    {
        using var t = CaptureLab.Create(nameof(LifecycleTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var server = b.Serve(8080);
        var capture = t.StartCapture(node);
        var pins = capture.Options.PinDirectory;
        Assert.Equal($"{HostTools.PinRoot}/{t.CaptureNode()}", pins);
        await t.EnrollAsync(capture, a);
        var listener = await t.ListenAsync(a, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));

        var attached = HostTools.CgroupPrograms(node.CgroupPath);
        foreach (var type in new[] { "cgroup_inet4_connect", "cgroup_inet6_connect", "sock_ops", "cgroup_inet4_getpeername", "cgroup_inet6_getpeername" })
        {
            Assert.Contains(type, attached, StringComparison.Ordinal);
        }

        Assert.Contains("weft_connect4", attached, StringComparison.Ordinal);
        Assert.Equal(MapNames.Order(), Directory.GetFileSystemEntries(pins).Select(Path.GetFileName).Order());
        Assert.Single(t.Log.WithId(1001));

        // Captured while attached.
        var send = a.SendAsync(new IPEndPoint(b.Address, 8080), 10);
        using (var conn = await t.AcceptAsync(listener, send))
        {
            await ProbeWire.AnswerAsync(conn, Wait);
        }

        Assert.True((await send).Ok);

        capture.Dispose();

        Assert.DoesNotContain("weft", HostTools.CgroupPrograms(node.CgroupPath), StringComparison.Ordinal);
        Assert.False(Directory.Exists(pins), $"{pins} is still there after Dispose");
        Assert.Single(t.Log.WithId(1002));
        var direct = await a.SendAsync(new IPEndPoint(b.Address, 8080), 10);
        Assert.True(direct.Ok, direct.Error);
        await ProbeWire.WaitServedAsync(server, direct.Local!, Wait);
        Assert.False(CaptureLab.HasPending(listener), "captured after Dispose");
        capture.Dispose(); // twice is harmless
    }

    [RootFact]
    public async Task Start_removes_stale_pins_left_by_a_killed_agent_and_starts_clean()
    {
        using var t = CaptureLab.Create(nameof(LifecycleTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var server = b.Serve(8080);
        var cookie = await t.CookieAsync(a);
        var pins = t.Options(node).PinDirectory;

        // What a killed agent leaves: its pinned maps (links die with it). This weft_enrolled is
        // compatible with the object's, so libbpf would reuse it, with a still enrolled.
        Directory.CreateDirectory(pins);
        try
        {
            var enrolled = $"{pins}/weft_enrolled";
            HostTools.Run("bpftool", "map", "create", enrolled, "type", "hash", "key", "8", "value", "8", "entries", "1024", "name", "weft_enrolled");
            var key = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(key, cookie);
            HostTools.Run("bpftool", ["map", "update", "pinned", enrolled, "key", "hex", .. key.Select(x => x.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)), "value", "hex", "00", "00", "00", "00", "01", "00", "00", "00"]);
            HostTools.Run("bpftool", "map", "create", $"{pins}/leftover", "type", "array", "key", "4", "value", "4", "entries", "1", "name", "leftover");
        }
        catch
        {
            HostTools.TryRun("rm", "-rf", pins);
            throw;
        }

        var capture = t.StartCapture(node);

        var stale = Assert.Single(t.Log.WithId(1003));
        Assert.Equal(LogLevel.Warning, stale.Level);
        Assert.Contains($"removed 2 stale pinned maps from {pins}", stale.Message, StringComparison.Ordinal);
        Assert.Equal(MapNames.Order(), Directory.GetFileSystemEntries(pins).Select(Path.GetFileName).Order());
        Assert.Empty(capture.EnrolledCookies());
        var direct = await a.SendAsync(new IPEndPoint(b.Address, 8080), 10);
        Assert.True(direct.Ok, direct.Error);
        Assert.Equal(0UL, capture.Counter(WeftCounter.ConnectRedirected));

        capture.Dispose();
        Assert.False(Directory.Exists(pins));
    }

    [RootFact]
    public async Task Two_captures_on_one_kernel_each_capture_only_the_pods_under_their_own_cgroup()
    {
        using var t = CaptureLab.Create(nameof(LifecycleTests));
        var node1 = t.AddNode("node1");
        var node2 = t.AddNode("node2");
        var a1 = t.AddPod(node1, "a1", "10.77.0.2");
        var c1 = t.AddPod(node1, "c1", "10.77.0.3");
        var a2 = t.AddPod(node2, "a2", "10.77.0.4");
        var s = t.AddPod(node2, "s", "10.77.0.5");
        using var server = s.Serve(8080);
        var capture1 = t.StartCapture(node1, "-1");
        var capture2 = t.StartCapture(node2, "-2");
        Assert.NotEqual(capture1.Options.PinDirectory, capture2.Options.PinDirectory);
        var cookieA1 = await t.EnrollAsync(capture1, a1);
        var cookieA2 = await t.EnrollAsync(capture2, a2);
        // c1 lives under node1 but is (wrongly) enrolled only with node2's capture: nobody captures it.
        var cookieC1 = await t.EnrollAsync(capture2, c1);
        var listenerA1 = await t.ListenAsync(a1, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));
        var listenerA2 = await t.ListenAsync(a2, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));
        var listenerC1 = await t.ListenAsync(c1, new IPEndPoint(IPAddress.Loopback, WeftConstants.OutboundPort));
        var to = new IPEndPoint(s.Address, 8080);

        foreach (var (pod, cookie, mine, other, listener) in new[] { (a1, cookieA1, capture1, capture2, listenerA1), (a2, cookieA2, capture2, capture1, listenerA2) })
        {
            var send = pod.SendAsync(to, 10);
            using var conn = await t.AcceptAsync(listener, send);
            var port = ((IPEndPoint)conn.RemoteEndPoint!).Port;
            Assert.True(mine.TryTakeOriginalDestination(cookie, (IPEndPoint)conn.RemoteEndPoint!, out var original), $"{pod}: its own capture has no entry");
            Assert.Equal(to, original);
            Assert.False(other.TryTakeOriginalDestination(cookie, (IPEndPoint)conn.RemoteEndPoint!, out _), $"{pod}: the other node's capture has an entry");
            await ProbeWire.AnswerAsync(conn, Wait);
            Assert.True((await send).Ok);
        }

        var direct = await c1.SendAsync(to, 10);
        Assert.True(direct.Ok, direct.Error);
        await ProbeWire.WaitServedAsync(server, direct.Local!, Wait);
        Assert.False(CaptureLab.HasPending(listenerC1));
        Assert.Equal(1UL, capture1.Counter(WeftCounter.ConnectRedirected));
        Assert.Equal(1UL, capture2.Counter(WeftCounter.ConnectRedirected));
        Assert.DoesNotContain(cookieC1, capture1.EnrolledCookies());

        // One stops; the other keeps capturing.
        capture1.Dispose();
        Assert.True(Directory.Exists(capture2.Options.PinDirectory));
        Assert.DoesNotContain("weft", HostTools.CgroupPrograms(node1.CgroupPath), StringComparison.Ordinal);
        Assert.Contains("weft_connect4", HostTools.CgroupPrograms(node2.CgroupPath), StringComparison.Ordinal);
        var still = a2.SendAsync(to, 10);
        using (var conn = await t.AcceptAsync(listenerA2, still))
        {
            await ProbeWire.AnswerAsync(conn, Wait);
        }

        Assert.True((await still).Ok);
        Assert.Equal(2UL, capture2.Counter(WeftCounter.ConnectRedirected));
    }

    /// <summary>BpfCapture says "disposing detaches everything": that includes the sk_lookup links AttachInbound made.</summary>
    [RootFact]
    public async Task Dispose_also_ends_inbound_steering_it_attached()
    {
        using var t = CaptureLab.Create(nameof(LifecycleTests));
        var node = t.AddNode("node");
        var a = t.AddPod(node, "a", "10.77.0.2");
        var b = t.AddPod(node, "b", "10.77.0.3");
        using var app = b.Serve(9090);
        var capture = t.StartCapture(node);
        var plain = await t.ListenAsync(b, new IPEndPoint(IPAddress.Loopback, WeftConstants.InboundPlainPort));
        t.Own(capture.AttachInbound(t.Netns(b)));
        capture.SetListener(b.Address, ListenerKind.Plain, plain);

        capture.Dispose();

        var r = await a.SendAsync(new IPEndPoint(b.Address, 9090), 10, timeout: TimeSpan.FromSeconds(3));
        Assert.False(CaptureLab.HasPending(plain), "after BpfCapture.Dispose the connection was still steered to the inbound listener");
        Assert.True(r.Ok, r.Error);
        await ProbeWire.WaitServedAsync(app, r.Local!, Wait);
    }
}
