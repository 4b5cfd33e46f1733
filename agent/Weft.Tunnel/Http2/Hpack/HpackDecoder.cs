using System.Buffers;
using System.Text;

namespace Weft.Tunnel.Http2.Hpack;

/// <summary>
/// Decodes whole header blocks (RFC 7541). One decoder per connection direction: its dynamic
/// table carries state from block to block, so every block must pass through it, even one
/// for a stream that is refused.
/// </summary>
internal sealed class HpackDecoder
{
    private readonly DynamicTable table;
    private readonly int maxTableSizeSetting;
    private readonly int maxHeaderListSize;

    /// <param name="maxTableSize">Our SETTINGS_HEADER_TABLE_SIZE: the most the peer may size the table to.</param>
    /// <param name="maxHeaderListSize">The most a block may decode to (octets plus 32 per field).</param>
    public HpackDecoder(int maxTableSize = 4096, int maxHeaderListSize = 16 * 1024)
    {
        table = new DynamicTable(maxTableSize);
        maxTableSizeSetting = maxTableSize;
        this.maxHeaderListSize = maxHeaderListSize;
    }

    internal DynamicTable Table => table;

    /// <summary>Decodes one complete header block, appending its fields to <paramref name="fields"/>.</summary>
    public void Decode(ReadOnlySpan<byte> block, List<HeaderField> fields)
    {
        var pos = 0;
        var listSize = 0L;
        var fieldSeen = false;
        while (pos < block.Length)
        {
            var b = block[pos];
            HeaderField field;
            if ((b & 0x80) != 0)
            {
                field = Lookup(HpackInteger.Decode(block, ref pos, 7));
            }
            else if ((b & 0xC0) == 0x40)
            {
                field = ReadLiteral(block, ref pos, 6);
                table.Insert(field);
            }
            else if ((b & 0xE0) == 0x20)
            {
                // Size updates belong before the first field of a block (RFC 7541 §4.2).
                if (fieldSeen)
                {
                    throw new HpackException("dynamic table size update after a field");
                }

                var size = HpackInteger.Decode(block, ref pos, 5);
                if (size > maxTableSizeSetting)
                {
                    throw new HpackException($"dynamic table size {size} exceeds the {maxTableSizeSetting} allowed");
                }

                table.SetMaxSize(size);
                continue;
            }
            else
            {
                // 0000xxxx without indexing, 0001xxxx never indexed: the same to a decoder.
                field = ReadLiteral(block, ref pos, 4);
            }

            fieldSeen = true;
            listSize += field.Size;
            if (listSize > maxHeaderListSize)
            {
                throw new HpackHeaderListTooLargeException($"header list exceeds {maxHeaderListSize} octets");
            }

            fields.Add(field);
        }
    }

    private HeaderField Lookup(int index)
    {
        if (index == 0)
        {
            throw new HpackException("index 0");
        }

        return index <= StaticTable.Count ? StaticTable.Get(index) : table[index - StaticTable.Count - 1];
    }

    private HeaderField ReadLiteral(ReadOnlySpan<byte> block, ref int pos, int prefixBits)
    {
        var nameIndex = HpackInteger.Decode(block, ref pos, prefixBits);
        var name = nameIndex == 0 ? ReadString(block, ref pos) : Lookup(nameIndex).Name;
        var value = ReadString(block, ref pos);
        return new HeaderField(name, value);
    }

    private string ReadString(ReadOnlySpan<byte> block, ref int pos)
    {
        if (pos >= block.Length)
        {
            throw new HpackException("truncated string");
        }

        var huffman = (block[pos] & 0x80) != 0;
        var length = HpackInteger.Decode(block, ref pos, 7);
        if (length > block.Length - pos)
        {
            throw new HpackException("string runs past the end of the block");
        }

        var raw = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            CheckLength(length);
            return Encoding.Latin1.GetString(raw);
        }

        var max = Huffman.MaxDecodedLength(length);
        byte[]? rented = null;
        var buffer = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Huffman.Decode(raw, buffer);
            CheckLength(n);
            return Encoding.Latin1.GetString(buffer[..n]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void CheckLength(int length)
    {
        // A single string past the list limit can never fit: stop before making it a string.
        if (length > maxHeaderListSize)
        {
            throw new HpackHeaderListTooLargeException($"header string of {length} octets exceeds {maxHeaderListSize}");
        }
    }
}
