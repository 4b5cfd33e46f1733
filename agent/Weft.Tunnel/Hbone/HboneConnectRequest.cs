using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>The client's side of the CONNECT exchange: the request it sends and how it reads the answer.</summary>
internal static class HboneConnectRequest
{
    /// <summary>
    /// <c>:method CONNECT</c>, <c>:authority</c> the target, <c>forwarded</c> the original source
    /// and <c>traceparent</c>, the latter two when known.
    /// </summary>
    public static HeaderField[] Headers(HboneDestination destination)
    {
        var traceParent = string.IsNullOrEmpty(destination.TraceParent) ? null : destination.TraceParent;
        var headers = new HeaderField[2 + (destination.Source is null ? 0 : 1) + (traceParent is null ? 0 : 1)];
        headers[0] = new HeaderField(":method", "CONNECT");
        headers[1] = new HeaderField(":authority", Authority(destination.Target));
        var i = 2;
        if (destination.Source is { } source)
        {
            headers[i++] = new HeaderField("forwarded", Forwarded(source));
        }

        if (traceParent is not null)
        {
            headers[i] = new HeaderField("traceparent", traceParent);
        }

        return headers;
    }

    /// <summary><c>10.0.0.7:8080</c> or <c>[2001:db8::7]:8080</c> (RFC 9110 authority-form).</summary>
    public static string Authority(IPEndPoint target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var address = Plain(target.Address);
        var port = target.Port.ToString(CultureInfo.InvariantCulture);
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
    }

    /// <summary>
    /// RFC 7239 <c>for=</c> with the source node, port included when known: a bare IPv4 address is
    /// a token (<c>for=192.0.2.1</c>); with a port, or IPv6 (bracketed), it contains ':' and must be
    /// a quoted-string (<c>for="192.0.2.1:4711"</c>, <c>for="[2001:db8::1]:4711"</c>).
    /// </summary>
    public static string Forwarded(IPEndPoint source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var address = Plain(source.Address);
        var node = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        if (source.Port != 0)
        {
            node += ":" + source.Port.ToString(CultureInfo.InvariantCulture);
        }

        return node.Contains(':', StringComparison.Ordinal) ? $"for=\"{node}\"" : $"for={node}";
    }

    /// <summary>The :status of a response, or null when it has none that parses.</summary>
    public static int? Status(IReadOnlyList<HeaderField> response)
    {
        foreach (var field in response)
        {
            if (string.Equals(field.Name, ":status", StringComparison.Ordinal))
            {
                return int.TryParse(field.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : null;
            }
        }

        return null;
    }

    /// <summary>What a refusal means: 400 a bad request, 401 policy, 503 nothing listening behind the tunnel.</summary>
    public static HboneFailure FailureFor(int? status) => status switch
    {
        400 => HboneFailure.BadRequest,
        401 => HboneFailure.Denied,
        503 => HboneFailure.Unreachable,
        _ => HboneFailure.UnexpectedStatus,
    };

    /// <summary>
    /// The address as the peer knows it: an IPv4-mapped IPv6 address (from a dual-stack socket) as
    /// IPv4, and without a scope id, which means nothing on another node.
    /// </summary>
    private static IPAddress Plain(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
    }
}
