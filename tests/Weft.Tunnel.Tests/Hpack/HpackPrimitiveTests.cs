using Weft.Tunnel.Http2.Hpack;

namespace Weft.Tunnel.Tests.Hpack;

/// <summary>Integers (RFC 7541 §5.1, C.1) and the Huffman code (Appendix B).</summary>
public class HpackPrimitiveTests
{
    [Theory]
    [InlineData(10, 5, "0a")] // C.1.1
    [InlineData(1337, 5, "1f9a0a")] // C.1.2
    [InlineData(42, 8, "2a")] // C.1.3
    [InlineData(30, 5, "1e")]
    [InlineData(31, 5, "1f00")]
    [InlineData(int.MaxValue, 7, "7f80ffffff07")]
    public void Integers_encode_and_decode(int value, int prefix, string hex)
    {
        var buffer = new byte[8];
        var n = HpackInteger.Encode(value, prefix, 0, buffer);
        Assert.Equal(hex, Convert.ToHexString(buffer, 0, n).ToLowerInvariant());
        Assert.Equal(n, HpackInteger.EncodedLength(value, prefix));
        var pos = 0;
        Assert.Equal(value, HpackInteger.Decode(Convert.FromHexString(hex), ref pos, prefix));
        Assert.Equal(n, pos);
    }

    [Theory]
    [InlineData("7f80ffffff08")] // 2^31 + 126: one past int
    [InlineData("7fffffffffff0f")] // far past
    [InlineData("7f8080808080808000")] // zero-valued continuation octets, too many of them
    [InlineData("7f80")] // truncated
    [InlineData("")]
    public void Integer_overflow_and_truncation_are_hpack_errors(string hex)
    {
        var data = Convert.FromHexString(hex);
        var pos = 0;
        Assert.Throws<HpackException>(() => HpackInteger.Decode(data, ref pos, 7));
    }

    [Theory]
    [InlineData(0, 0x1ff8u, 13)]
    [InlineData(' ', 0x14u, 6)]
    [InlineData('0', 0x0u, 5)]
    [InlineData('A', 0x21u, 6)]
    [InlineData('a', 0x3u, 5)]
    [InlineData('z', 0x7bu, 7)]
    [InlineData(200, 0x3ffffe2u, 26)]
    [InlineData(255, 0x3ffffeeu, 26)]
    [InlineData(256, 0x3fffffffu, 30)] // EOS
    public void Huffman_codes_derived_from_lengths_match_the_rfc_table(int symbol, uint code, int length) =>
        Assert.Equal((code, length), Huffman.CodeOf(symbol));

    [Fact]
    public void Huffman_round_trips_every_octet_value_and_random_strings()
    {
        var all = new byte[256];
        for (var i = 0; i < 256; i++)
        {
            all[i] = (byte)i;
        }

        AssertRoundTrip(all);
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var s = new byte[random.Next(0, 100)];
            random.NextBytes(s);
            AssertRoundTrip(s);
        }
    }

    [Fact]
    public void Huffman_matches_rfc_example_string()
    {
        // C.4.1: "www.example.com"
        var encoded = new byte[32];
        var n = Huffman.Encode("www.example.com"u8, encoded);
        Assert.Equal("f1e3c2e5f23a6ba0ab90f4ff", Convert.ToHexString(encoded, 0, n).ToLowerInvariant());
    }

    [Theory]
    [InlineData("ff")] // 8 bits of padding
    [InlineData("fffffffc")] // the EOS symbol itself (30 ones) followed by padding
    [InlineData("00")] // '0' then 3 bits of zero padding: padding must be ones
    [InlineData("1e")] // 'a' (00011) then padding 110: not all ones
    public void Huffman_rejects_bad_padding_and_eos(string hex)
    {
        var data = Convert.FromHexString(hex);
        Assert.Throws<HpackException>(() => Huffman.Decode(data, new byte[Huffman.MaxDecodedLength(data.Length)]));
    }

    private static void AssertRoundTrip(byte[] s)
    {
        var encoded = new byte[Huffman.EncodedLength(s)];
        Assert.Equal(encoded.Length, Huffman.Encode(s, encoded));
        var decoded = new byte[Huffman.MaxDecodedLength(encoded.Length)];
        var n = Huffman.Decode(encoded, decoded);
        Assert.Equal(s, decoded[..n]);
    }
}
