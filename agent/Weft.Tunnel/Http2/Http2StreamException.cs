namespace Weft.Tunnel.Http2;

/// <summary>
/// One stream was reset (RST_STREAM), by the peer or by us. RefusedStream means the peer did
/// not process it (refused, or beyond the last stream id of its GOAWAY): safe to retry.
/// </summary>
public sealed class Http2StreamException : Http2Exception
{
    public Http2StreamException()
    {
    }

    public Http2StreamException(string message)
        : base(message)
    {
    }

    public Http2StreamException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Http2StreamException(Http2ErrorCode errorCode, string message, Exception? innerException = null)
        : base(errorCode, message, innerException)
    {
    }
}
