using System.Globalization;
using System.Net;
using Weft.Identity;
using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Hbone;

/// <summary>
/// One CONNECT that reached a pod's tunnel listener, already checked: a mutually authenticated
/// peer, the CONNECT method, and an authority that is an address of this pod. The handler
/// answers it once, with <see cref="AcceptAsync"/> (200, then relay on <see cref="Stream"/>) or
/// <see cref="RejectAsync"/>.
/// </summary>
public sealed class HboneRequest(Http2Stream stream, SpiffeId peer, IPEndPoint peerAddress, IPEndPoint target)
{
    public Http2Stream Stream { get; } = stream;

    /// <summary>The client's identity, from its verified certificate.</summary>
    public SpiffeId Peer { get; } = peer;

    /// <summary>The TCP source of the tunnel connection: the source pod's address.</summary>
    public IPEndPoint PeerAddress { get; } = peerAddress;

    /// <summary>The :authority: where in this pod the client wants to go.</summary>
    public IPEndPoint Target { get; } = target;

    /// <summary>The <c>forwarded</c> header, as sent (the original source address).</summary>
    public string? Forwarded => Header("forwarded");

    /// <summary>The <c>traceparent</c> header, as sent.</summary>
    public string? TraceParent => Header("traceparent");

    public string? Header(string name)
    {
        foreach (var field in Stream.RequestHeaders)
        {
            if (string.Equals(field.Name, name, StringComparison.Ordinal))
            {
                return field.Value;
            }
        }

        return null;
    }

    /// <summary>Answers 200: the tunnel is open, bytes flow on <see cref="Stream"/>.</summary>
    public ValueTask AcceptAsync(CancellationToken cancellationToken = default) =>
        Stream.RespondAsync([new HeaderField(":status", "200")], endStream: false, cancellationToken);

    /// <summary>Answers <paramref name="status"/> (400, 401, 503) and ends the stream.</summary>
    public ValueTask RejectAsync(int status, CancellationToken cancellationToken = default) =>
        Stream.RespondAsync([new HeaderField(":status", status.ToString(CultureInfo.InvariantCulture))], endStream: true, cancellationToken);
}
