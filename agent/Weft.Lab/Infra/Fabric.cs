using System.Net;

namespace Weft.Lab.Infra;

/// <summary>
/// The lab's L2 segment: a bridge inside the lab's own "fabric" namespace, so nothing is ever
/// added to the host's network and two labs can use the same subnet side by side.
/// </summary>
internal static class Fabric
{
    public const string Bridge = "br0";
    public const int PrefixLength = 24;
    public const int PrefixLength6 = 64;

    public static bool HasIPv6 => Directory.Exists("/proc/sys/net/ipv6");

    /// <summary>Sets up the bridge in a freshly created fabric namespace.</summary>
    public static void Configure(string fabricNetns)
    {
        Netns.Ip(fabricNetns, "link", "set", "lo", "up");
        // No STP (ports forward at once) and no multicast snooping (every port sees ND and ARP).
        Netns.Ip(fabricNetns, "link", "add", Bridge, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
        Netns.Ip(fabricNetns, "link", "set", Bridge, "up");
    }

    /// <summary>
    /// Creates the veth from inside the fabric namespace with its peer placed straight into the
    /// pod as eth0: neither end ever exists in the host namespace, not even for a moment.
    /// </summary>
    public static void Attach(string fabricNetns, string veth, string podNetns, IPAddress address, IPAddress? address6)
    {
        Netns.Ip(fabricNetns, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", podNetns);
        Netns.Ip(fabricNetns, "link", "set", veth, "master", Bridge, "up");
        Netns.Ip(podNetns, "link", "set", "lo", "up");
        Netns.Ip(podNetns, "addr", "add", $"{address}/{PrefixLength}", "dev", "eth0");
        if (address6 is not null)
        {
            // nodad: the address is usable at once instead of after duplicate detection (~1-2 s).
            Netns.Ip(podNetns, "-6", "addr", "add", $"{address6}/{PrefixLength6}", "dev", "eth0", "nodad");
        }

        Netns.Ip(podNetns, "link", "set", "eth0", "up");
    }

    /// <summary>fd00:77::N where N is the low 16 bits of the IPv4 address (10.77.0.5 → fd00:77::5).</summary>
    public static IPAddress Ula(IPAddress address)
    {
        var b = address.GetAddressBytes();
        var v6 = new byte[16];
        v6[0] = 0xfd;
        v6[3] = 0x77;
        v6[14] = b[2];
        v6[15] = b[3];
        return new IPAddress(v6);
    }
}
