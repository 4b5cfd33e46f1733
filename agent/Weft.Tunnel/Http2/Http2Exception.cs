namespace Weft.Tunnel.Http2;

/// <summary>
/// Base of the HTTP/2 failures. An <see cref="IOException"/>, so code relaying bytes over a
/// stream treats a reset or a lost connection like any other broken transport.
/// </summary>
public class Http2Exception : IOException
{
    public Http2Exception()
    {
    }

    public Http2Exception(string message)
        : base(message)
    {
    }

    public Http2Exception(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Http2Exception(Http2ErrorCode errorCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The code sent or received (RST_STREAM or GOAWAY); NoError when the end was not a protocol error.</summary>
    public Http2ErrorCode ErrorCode { get; }
}
