using System.Buffers;
using System.Text;

namespace Weft.Tunnel.Http2.Hpack;

/// <summary>
/// Encodes header lists without a dynamic table: a field found whole in the static table is
/// indexed, otherwise it is a literal (with the static index of its name when there is one).
/// Having no table means the encoder has no state and can run on any thread; the one size update
/// a peer may require is the connection's to add (<see cref="EncoderTableSize"/>). Strings are
/// Huffman-coded when that is shorter.
/// </summary>
internal static class HpackEncoder
{
    public static void Encode(IReadOnlyList<HeaderField> fields, IBufferWriter<byte> output, bool huffman = true)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            EncodeField(fields[i], output, huffman);
        }
    }

    public static void EncodeField(HeaderField field, IBufferWriter<byte> output, bool huffman = true)
    {
        var full = StaticTable.IndexOf(field);
        if (full != 0)
        {
            var span = output.GetSpan(8);
            output.Advance(HpackInteger.Encode(full, 7, 0x80, span));
            return;
        }

        // Credentials are marked never-indexed so no intermediary puts them in a table.
        var flags = IsSensitive(field.Name) ? (byte)0x10 : (byte)0x00;
        var nameIndex = StaticTable.IndexOfName(field.Name);
        var dest = output.GetSpan(8);
        output.Advance(HpackInteger.Encode(nameIndex, 4, flags, dest));
        if (nameIndex == 0)
        {
            WriteString(field.Name, output, huffman);
        }

        WriteString(field.Value, output, huffman);
    }

    private static bool IsSensitive(string name) =>
        name is "authorization" or "proxy-authorization" or "cookie" or "set-cookie";

    private static void WriteString(string value, IBufferWriter<byte> output, bool huffman)
    {
        var length = value.Length;
        byte[]? rented = null;
        var raw = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            raw = raw[..Encoding.Latin1.GetBytes(value, raw)];
            var coded = huffman ? Huffman.EncodedLength(raw) : int.MaxValue;
            var useHuffman = coded < raw.Length;
            var payload = useHuffman ? coded : raw.Length;
            var dest = output.GetSpan(payload + 8);
            var n = HpackInteger.Encode(payload, 7, useHuffman ? (byte)0x80 : (byte)0, dest);
            n += useHuffman ? Huffman.Encode(raw, dest[n..]) : Copy(raw, dest[n..]);
            output.Advance(n);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Copy(ReadOnlySpan<byte> src, Span<byte> dest)
    {
        src.CopyTo(dest);
        return src.Length;
    }
}
