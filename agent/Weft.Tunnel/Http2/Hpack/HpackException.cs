namespace Weft.Tunnel.Http2.Hpack;

/// <summary>
/// A header block that cannot be decoded. The decoder's dynamic table can no longer be trusted
/// after one, so the connection ends with COMPRESSION_ERROR.
/// </summary>
public class HpackException : Exception
{
    public HpackException()
    {
    }

    public HpackException(string message)
        : base(message)
    {
    }

    public HpackException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A header block that decodes to more than we accept (the advertised MaxHeaderListSize).
/// Decoding stops part way, so the connection ends too, but with PROTOCOL_ERROR: the peer
/// sent more than it was told we take, its compression was not at fault.
/// </summary>
public sealed class HpackHeaderListTooLargeException : HpackException
{
    public HpackHeaderListTooLargeException()
    {
    }

    public HpackHeaderListTooLargeException(string message)
        : base(message)
    {
    }

    public HpackHeaderListTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
