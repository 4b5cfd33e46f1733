using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Weft.Workloads;

/// <summary>
/// Listen addresses: <c>a.b.c.d:port</c> or <c>[v6]:port</c>. No host names: what a name resolves
/// to can change under a running agent, and a listener must bind to one definite address.
/// </summary>
internal static class EndpointSyntax
{
    private const string Form = "is not an address and port";

    /// <summary>Parses a listen address; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out IPEndPoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (!Split(text, out var host, out var portText, out error))
        {
            return false;
        }

        if (!ValueSyntax.TryParseAddress(host, out var address))
        {
            var looksLikeName = host.Any(char.IsAsciiLetter) && !host.Contains(':', StringComparison.Ordinal) && !char.IsAsciiDigit(host[0]);
            var hint = looksLikeName ? " (host names are not allowed)" : "";
            error = $"\"{text}\" {Form}: \"{host}\" is not an IP address{hint}";
            return false;
        }

        if (text.StartsWith('[') != (address.AddressFamily == AddressFamily.InterNetworkV6))
        {
            error = $"\"{text}\" {Form}: only IPv6 addresses are written in brackets";
            return false;
        }

        // The unspecified address is fine here: it means every address of the node.
        if (!IsUnspecified(address) && ValueSyntax.Unusable(address) is { } why)
        {
            error = $"\"{text}\" cannot be listened on: {host} {why}";
            return false;
        }

        if (!ValueSyntax.TryParsePort(portText, out var port))
        {
            error = $"\"{text}\" {Form}: \"{portText}\" is not a port (1-65535)";
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        error = null;
        return true;
    }

    /// <summary>Whether two listeners cannot both bind: same port, and the same address or one listening on every address of the other's family.</summary>
    public static bool Overlap(IPEndPoint a, IPEndPoint b) =>
        a.Port == b.Port
        && (a.Address.Equals(b.Address) || (a.AddressFamily == b.AddressFamily && (IsUnspecified(a.Address) || IsUnspecified(b.Address))));

    public static bool IsUnspecified(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static bool Split(string text, out string host, out string port, [NotNullWhen(false)] out string? error)
    {
        (host, port, error) = ("", "", null);
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"\"{text}\" {Form}: expected [address]:port, e.g. [::1]:15000";
                return false;
            }

            (host, port) = (text[1..close], text[(close + 2)..]);
            return true;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            error = $"\"{text}\" {Form}: the port is missing, e.g. {text}:15020";
            return false;
        }

        if (colon != text.LastIndexOf(':'))
        {
            error = $"\"{text}\" {Form}: write an IPv6 address in brackets, e.g. [::1]:15000";
            return false;
        }

        (host, port) = (text[..colon], text[(colon + 1)..]);
        return true;
    }
}
