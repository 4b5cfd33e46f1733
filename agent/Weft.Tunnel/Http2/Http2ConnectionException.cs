namespace Weft.Tunnel.Http2;

/// <summary>
/// The connection ended, or could not take a new stream: a protocol error found by either
/// side (the GOAWAY code is <see cref="Http2Exception.ErrorCode"/>), a PING timeout, the peer
/// going away or closing, or the transport failing (its exception is the inner one).
/// </summary>
public sealed class Http2ConnectionException : Http2Exception
{
    public Http2ConnectionException()
    {
    }

    public Http2ConnectionException(string message)
        : base(message)
    {
    }

    public Http2ConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Http2ConnectionException(Http2ErrorCode errorCode, string message, Exception? innerException = null)
        : base(errorCode, message, innerException)
    {
    }
}
