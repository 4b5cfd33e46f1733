namespace Weft.Tunnel.Http2;

/// <summary>
/// One header field. Names and values are carried as Latin-1 strings, so every char is one
/// octet on the wire (HTTP/2 fields are octet strings, not text).
/// </summary>
public readonly record struct HeaderField(string Name, string Value)
{
    /// <summary>The size HPACK and SETTINGS_MAX_HEADER_LIST_SIZE count: octets plus 32 of overhead.</summary>
    public int Size => Name.Length + Value.Length + 32;
}
