using System.Collections.Frozen;

namespace Weft.Tunnel.Http2.Hpack;

/// <summary>HPACK's static table (RFC 7541 Appendix A), indices 1..61.</summary>
internal static class StaticTable
{
    public const int Count = 61;

    private static readonly HeaderField[] Entries =
    [
        new(":authority", ""),
        new(":method", "GET"),
        new(":method", "POST"),
        new(":path", "/"),
        new(":path", "/index.html"),
        new(":scheme", "http"),
        new(":scheme", "https"),
        new(":status", "200"),
        new(":status", "204"),
        new(":status", "206"),
        new(":status", "304"),
        new(":status", "400"),
        new(":status", "404"),
        new(":status", "500"),
        new("accept-charset", ""),
        new("accept-encoding", "gzip, deflate"),
        new("accept-language", ""),
        new("accept-ranges", ""),
        new("accept", ""),
        new("access-control-allow-origin", ""),
        new("age", ""),
        new("allow", ""),
        new("authorization", ""),
        new("cache-control", ""),
        new("content-disposition", ""),
        new("content-encoding", ""),
        new("content-language", ""),
        new("content-length", ""),
        new("content-location", ""),
        new("content-range", ""),
        new("content-type", ""),
        new("cookie", ""),
        new("date", ""),
        new("etag", ""),
        new("expect", ""),
        new("expires", ""),
        new("from", ""),
        new("host", ""),
        new("if-match", ""),
        new("if-modified-since", ""),
        new("if-none-match", ""),
        new("if-range", ""),
        new("if-unmodified-since", ""),
        new("last-modified", ""),
        new("link", ""),
        new("location", ""),
        new("max-forwards", ""),
        new("proxy-authenticate", ""),
        new("proxy-authorization", ""),
        new("range", ""),
        new("referer", ""),
        new("refresh", ""),
        new("retry-after", ""),
        new("server", ""),
        new("set-cookie", ""),
        new("strict-transport-security", ""),
        new("transfer-encoding", ""),
        new("user-agent", ""),
        new("vary", ""),
        new("via", ""),
        new("www-authenticate", ""),
    ];

    // For the encoder: the first index of each name, and the index of each full entry that has a value.
    private static readonly FrozenDictionary<string, int> NameIndex = BuildNameIndex();
    private static readonly FrozenDictionary<HeaderField, int> FieldIndex = BuildFieldIndex();

    /// <summary>The entry at 1-based <paramref name="index"/> (1..61).</summary>
    public static HeaderField Get(int index) => Entries[index - 1];

    public static int IndexOfName(string name) => NameIndex.GetValueOrDefault(name);

    public static int IndexOf(HeaderField field) => FieldIndex.GetValueOrDefault(field);

    private static FrozenDictionary<string, int> BuildNameIndex()
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Entries.Length; i++)
        {
            d.TryAdd(Entries[i].Name, i + 1);
        }

        return d.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static FrozenDictionary<HeaderField, int> BuildFieldIndex()
    {
        var d = new Dictionary<HeaderField, int>();
        for (var i = 0; i < Entries.Length; i++)
        {
            if (Entries[i].Value.Length > 0)
            {
                d.TryAdd(Entries[i], i + 1);
            }
        }

        return d.ToFrozenDictionary();
    }
}
