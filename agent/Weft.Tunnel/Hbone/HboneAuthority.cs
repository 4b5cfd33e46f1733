using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// The :authority of an HBONE CONNECT: a literal address and a port, <c>10.0.0.7:8080</c> or
/// <c>[fd00::7]:8080</c>. Parsed strictly, because the address decides where in the pod bytes
/// go: no host names, no zone ids, and none of the shorthand IPv4 forms (<c>10.1</c>,
/// <c>0x0a.0.0.1</c>, leading zeros read as octal) that <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> accepts.
/// </summary>
internal static class HboneAuthority
{
    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");
    private static readonly SearchValues<char> IPv6Chars = SearchValues.Create("0123456789abcdefABCDEF:.");

    public static bool TryParse(string? authority, out IPEndPoint target, out string problem)
    {
        target = null!;
        if (string.IsNullOrEmpty(authority))
        {
            problem = "no :authority";
            return false;
        }

        var colon = authority.LastIndexOf(':');
        if (colon <= 0)
        {
            problem = $"authority '{authority}' has no port";
            return false;
        }

        var host = authority.AsSpan(0, colon);
        if (!TryParsePort(authority.AsSpan(colon + 1), out var port))
        {
            problem = $"authority '{authority}' has no valid port (1-65535)";
            return false;
        }

        IPAddress? address;
        if (host[0] == '[')
        {
            if (host.Length < 3 || host[^1] != ']' || !TryParseIPv6(host[1..^1], out address))
            {
                problem = $"authority '{authority}' is not [IPv6 address]:port";
                return false;
            }
        }
        else if (!TryParseIPv4(host, out address))
        {
            problem = $"authority '{authority}' is not an IPv4 address and port (or [IPv6]:port)";
            return false;
        }

        target = new IPEndPoint(address, port);
        problem = "";
        return true;
    }

    private static bool TryParsePort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || text[0] == '0' || text.ContainsAnyExcept(Digits))
        {
            return false;
        }

        port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port <= IPEndPoint.MaxPort;
    }

    private static bool TryParseIPv4(ReadOnlySpan<char> host, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        var parts = 0;
        foreach (var range in host.Split('.'))
        {
            var part = host[range];
            if (++parts > 4 || part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || part.ContainsAnyExcept(Digits)
                || int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return parts == 4 && IPAddress.TryParse(host, out address);
    }

    private static bool TryParseIPv6(ReadOnlySpan<char> host, [NotNullWhen(true)] out IPAddress? address)
    {
        // Hex digits, colons, and dots for an embedded IPv4 tail; a '%zone' names an interface, not a pod address.
        address = null;
        return !host.ContainsAnyExcept(IPv6Chars)
            && IPAddress.TryParse(host, out address)
            && address.AddressFamily == AddressFamily.InterNetworkV6;
    }
}
