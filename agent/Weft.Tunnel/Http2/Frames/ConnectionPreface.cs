namespace Weft.Tunnel.Http2.Frames;

/// <summary>The octets a client sends before its first frame (RFC 9113 §3.4).</summary>
internal static class ConnectionPreface
{
    public static ReadOnlySpan<byte> Client => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public const int Length = 24;
}
