namespace Weft.Tunnel.Hbone;

/// <summary>Why an HBONE connection or stream failed; the names are the metric and log values.</summary>
public enum HboneFailure
{
    /// <summary>TCP connect to the peer's 15008 failed or timed out.</summary>
    ConnectFailed,

    /// <summary>TLS failed: not TLS 1.3, no ALPN h2, a handshake error or timeout.</summary>
    TlsFailed,

    /// <summary>The peer's certificate is missing, untrusted, expired, or of another trust domain.</summary>
    PeerCertificateRejected,

    /// <summary>The server's certificate is valid but names another identity than the destination's.</summary>
    WrongServerIdentity,

    /// <summary>The HTTP/2 layer failed: garbage, a bad preface, a protocol error, the connection ended.</summary>
    ProtocolError,

    /// <summary>The HTTP/2 layer reset one stream for the peer's fault: beyond the stream limit (a flood), or a stream-level protocol or flow-control error.</summary>
    StreamRejected,

    /// <summary>Not a CONNECT, or an authority that is not an address of this pod (400).</summary>
    BadRequest,

    /// <summary>Policy denied the connection (401).</summary>
    Denied,

    /// <summary>The application behind the tunnel could not be reached (503).</summary>
    Unreachable,

    /// <summary>The server answered with another status than the ones above.</summary>
    UnexpectedStatus,

    /// <summary>No stream slot, or no answer to the CONNECT, within <see cref="HboneOptions.OpenTimeout"/>.</summary>
    NoAnswer,
}
