namespace Weft.Tunnel.Http2.Hpack;

/// <summary>
/// HPACK's static Huffman code (RFC 7541 Appendix B). The code is canonical (codes of one
/// length are consecutive, ordered by symbol, shorter lengths first), so the table is kept as
/// the 257 code lengths alone and the codes are derived from them once.
/// </summary>
internal static class Huffman
{
    public const int Eos = 256;
    private const int MinLength = 5;
    private const int MaxLength = 30;

    // Code length in bits of each symbol 0..255 and EOS (256).
    private static ReadOnlySpan<byte> Lengths =>
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    private static readonly uint[] Codes = new uint[257];

    // Canonical decoding: for each length, the first code of that length, how many codes have
    // it, and where its symbols start in SymbolsByCode.
    private static readonly uint[] FirstCode = new uint[MaxLength + 1];
    private static readonly int[] CountOfLength = new int[MaxLength + 1];
    private static readonly int[] FirstIndex = new int[MaxLength + 1];
    private static readonly short[] SymbolsByCode = new short[257];

#pragma warning disable CA1810 // the tables depend on each other; one constructor builds them in order
    static Huffman()
#pragma warning restore CA1810
    {
        var lengths = Lengths;
        for (var s = 0; s < 257; s++)
        {
            CountOfLength[lengths[s]]++;
        }

        uint code = 0;
        var index = 0;
        for (var len = 1; len <= MaxLength; len++)
        {
            FirstCode[len] = code;
            FirstIndex[len] = index;
            index += CountOfLength[len];
            code = (code + (uint)CountOfLength[len]) << 1;
        }

        var next = new uint[MaxLength + 1];
        Array.Copy(FirstCode, next, next.Length);
        var fill = new int[MaxLength + 1];
        Array.Copy(FirstIndex, fill, fill.Length);
        for (var s = 0; s < 257; s++)
        {
            var len = lengths[s];
            Codes[s] = next[len]++;
            SymbolsByCode[fill[len]++] = (short)s;
        }
    }

    /// <summary>The code and its length in bits, for tests that check the table against the RFC.</summary>
    public static (uint Code, int Length) CodeOf(int symbol) => (Codes[symbol], Lengths[symbol]);

    /// <summary>The most octets <paramref name="encodedLength"/> octets of Huffman code can decode to (the shortest code has 5 bits).</summary>
    public static int MaxDecodedLength(int encodedLength) => (int)((encodedLength * 8L) / MinLength);

    /// <summary>Decodes a Huffman-coded string into <paramref name="dest"/> (at least <see cref="MaxDecodedLength"/> long); returns its length.</summary>
    public static int Decode(ReadOnlySpan<byte> src, Span<byte> dest)
    {
        ulong acc = 0; // bits left-aligned: the next bit to decode is bit 63
        var bits = 0;
        var i = 0;
        var o = 0;
        while (true)
        {
            while (bits <= 56 && i < src.Length)
            {
                acc |= (ulong)src[i++] << (56 - bits);
                bits += 8;
            }

            if (bits == 0)
            {
                return o;
            }

            var matched = false;
            var limit = Math.Min(MaxLength, bits);
            for (var len = MinLength; len <= limit; len++)
            {
                // Codes shorter than len did not match, so the top len bits are >= FirstCode[len].
                var offset = (uint)(acc >> (64 - len)) - FirstCode[len];
                if (offset < (uint)CountOfLength[len])
                {
                    var symbol = SymbolsByCode[FirstIndex[len] + (int)offset];
                    if (symbol == Eos)
                    {
                        throw new HpackException("Huffman string contains EOS");
                    }

                    dest[o++] = (byte)symbol;
                    acc <<= len;
                    bits -= len;
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                // The code is complete, so only the tail can fail to match: it must be padding,
                // at most 7 bits, all ones (a prefix of EOS).
                if (bits > 7 || (acc >> (64 - bits)) != (1UL << bits) - 1)
                {
                    throw new HpackException("invalid Huffman padding");
                }

                return o;
            }
        }
    }

    /// <summary>The octets <see cref="Encode"/> needs for <paramref name="src"/>.</summary>
    public static int EncodedLength(ReadOnlySpan<byte> src)
    {
        long bits = 0;
        var lengths = Lengths;
        foreach (var b in src)
        {
            bits += lengths[b];
        }

        return (int)((bits + 7) / 8);
    }

    /// <summary>Huffman-codes <paramref name="src"/> into <paramref name="dest"/>, padding with ones; returns the octets written.</summary>
    public static int Encode(ReadOnlySpan<byte> src, Span<byte> dest)
    {
        ulong acc = 0; // bits right-aligned
        var bits = 0;
        var o = 0;
        var lengths = Lengths;
        foreach (var b in src)
        {
            acc = (acc << lengths[b]) | Codes[b];
            bits += lengths[b];
            while (bits >= 8)
            {
                bits -= 8;
                dest[o++] = (byte)(acc >> bits);
            }
        }

        if (bits > 0)
        {
            dest[o++] = (byte)((acc << (8 - bits)) | (0xFFUL >> bits));
        }

        return o;
    }
}
