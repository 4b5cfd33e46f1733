namespace Weft.Tunnel.Http2.Hpack;

/// <summary>HPACK's prefixed integers (RFC 7541 §5.1), limited to what fits an int.</summary>
internal static class HpackInteger
{
    /// <summary>Reads an integer whose first octet keeps <paramref name="prefixBits"/> low bits; advances <paramref name="pos"/>.</summary>
    public static int Decode(ReadOnlySpan<byte> data, ref int pos, int prefixBits)
    {
        if (pos >= data.Length)
        {
            throw new HpackException("truncated integer");
        }

        var mask = (1 << prefixBits) - 1;
        var value = data[pos++] & mask;
        if (value < mask)
        {
            return value;
        }

        long acc = value;
        for (var shift = 0; ; shift += 7)
        {
            // Five continuation octets carry 35 bits: anything longer cannot be an int, and
            // stopping here also bounds a run of zero-valued 0x80 octets.
            if (shift > 28)
            {
                throw new HpackException("integer too long");
            }

            if (pos >= data.Length)
            {
                throw new HpackException("truncated integer");
            }

            var b = data[pos++];
            acc += (long)(b & 0x7f) << shift;
            if (acc > int.MaxValue)
            {
                throw new HpackException("integer overflows 2^31-1");
            }

            if ((b & 0x80) == 0)
            {
                return (int)acc;
            }
        }
    }

    /// <summary>The number of octets <see cref="Encode"/> writes.</summary>
    public static int EncodedLength(int value, int prefixBits)
    {
        var mask = (1 << prefixBits) - 1;
        if (value < mask)
        {
            return 1;
        }

        var n = 2;
        for (var rest = value - mask; rest >= 0x80; rest >>= 7)
        {
            n++;
        }

        return n;
    }

    /// <summary>Writes <paramref name="value"/> with the high bits of the first octet set to <paramref name="flags"/>; returns the octets written.</summary>
    public static int Encode(int value, int prefixBits, byte flags, Span<byte> dest)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        var mask = (1 << prefixBits) - 1;
        if (value < mask)
        {
            dest[0] = (byte)(flags | value);
            return 1;
        }

        dest[0] = (byte)(flags | mask);
        var i = 1;
        var rest = value - mask;
        while (rest >= 0x80)
        {
            dest[i++] = (byte)((rest & 0x7f) | 0x80);
            rest >>= 7;
        }

        dest[i++] = (byte)rest;
        return i;
    }
}
