using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Weft.Capture.Maps;

// C# mirror of bpf/weft_shared.h — the one place the agent spells these layouts.
// tests/Weft.Capture.Tests/SharedStructLayoutTests checks them against the compiled object's BTF.

/// <summary>Constants of weft_shared.h.</summary>
public static class WeftConstants
{
    public const uint Mark = 0x539;
    public const int OutboundPort = 15001;
    public const int InboundPlainPort = 15006;
    public const int InboundTunnelPort = 15008;
    public const int MaxPods = 1024;
    public const int MaxConns = 65536;

    /// <summary>Source of the agent's connections to the application on inbound.</summary>
    public static readonly IPAddress InboundSourceV4 = IPAddress.Parse("127.0.0.6");
}

/// <summary>16 bytes in network order, IPv4 stored IPv4-mapped.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct WeftAddr
{
    public fixed byte Bytes[16];

    public static WeftAddr From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var v6 = address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        var a = default(WeftAddr);
        v6.TryWriteBytes(new Span<byte>(a.Bytes, 16), out _);
        return a;
    }

    public readonly IPAddress ToIPAddress(bool asIPv4)
    {
        fixed (byte* b = Bytes)
        {
            var v6 = new IPAddress(new ReadOnlySpan<byte>(b, 16));
            return asIPv4 && v6.IsIPv4MappedToIPv6 ? v6.MapToIPv4() : v6;
        }
    }
}

[StructLayout(LayoutKind.Sequential)]
public struct weft_orig_dst
{
    public WeftAddr addr;
    public ushort port;
    public ushort family;

    public readonly IPEndPoint ToEndPoint() => new(addr.ToIPAddress(family == 2), port);
}

[StructLayout(LayoutKind.Sequential)]
public struct weft_port_key
{
    public ulong netns_cookie;
    public WeftAddr addr;
    public ushort port;
    public ushort family;
    private uint pad;
}

[StructLayout(LayoutKind.Sequential)]
public struct weft_netns_info
{
    public uint flags;
    public uint pod_id;
}

public enum ListenerKind : uint
{
    Plain = 0,
    Tunnel = 1,
}

[StructLayout(LayoutKind.Sequential)]
public struct weft_listener_key
{
    public WeftAddr addr;
    public ListenerKind kind;
}

[StructLayout(LayoutKind.Sequential)]
public struct weft_cidr_key
{
    public uint prefixlen;
    public WeftAddr addr;
}

[StructLayout(LayoutKind.Sequential)]
public struct weft_settings
{
    public ulong agent_cgroup_id;
}

/// <summary>Slots of the per-CPU counters map (enum weft_counter).</summary>
public enum WeftCounter : uint
{
    ConnectRedirected = 0,
    ConnectSkipMark = 1,
    ConnectSkipLoopback = 2,
    ConnectSkipExcluded = 3,
    SockopsIndexed = 4,
    SockopsReleased = 5,
    LookupSteered = 6,
    LookupSkipAgent = 7,
    LookupAssignFailed = 8,
}
