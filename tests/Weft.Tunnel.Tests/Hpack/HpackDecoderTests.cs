using System.Buffers;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Hpack;

namespace Weft.Tunnel.Tests.Hpack;

/// <summary>Table size updates, eviction, limits, the encoder, and random input.</summary>
public class HpackDecoderTests
{
    [Fact]
    public void Size_update_evicts_and_zero_empties_the_table()
    {
        var decoder = new HpackDecoder();
        HpackRfcVectorTests.Decode(decoder, "828684410f7777772e6578616d706c652e636f6d");
        Assert.Equal(1, decoder.Table.Count);

        // 0x20: size update to 0, then 0x3f e1 1f: back to 4096, then an indexed field.
        Assert.Equal([new HeaderField(":method", "GET")], HpackRfcVectorTests.Decode(decoder, "203fe11f82"));
        Assert.Equal(0, decoder.Table.Count);
        Assert.Equal(4096, decoder.Table.MaxSize);
    }

    [Theory]
    [InlineData("3fe21f")] // size update to 4097, above the 4096 we allow
    [InlineData("823f")] // size update after a field (and truncated)
    [InlineData("8220")] // size update after a field
    [InlineData("80")] // index 0
    [InlineData("be")] // index 62 with an empty dynamic table
    [InlineData("400a6375")] // string runs past the end
    [InlineData("0085ffffffffff")] // Huffman name with bad padding / EOS
    public void Malformed_blocks_throw_hpack_exception(string hex)
    {
        Assert.Throws<HpackException>(() => HpackRfcVectorTests.Decode(new HpackDecoder(), hex));
    }

    [Fact]
    public void Entry_larger_than_the_table_empties_it()
    {
        var decoder = new HpackDecoder(maxTableSize: 64);
        decoder.Table.SetMaxSize(64);
        decoder.Table.Insert(new HeaderField("a", "b"));
        decoder.Table.Insert(new HeaderField("name", new string('x', 40)));
        Assert.Equal(0, decoder.Table.Count);
        Assert.Equal(0, decoder.Table.Size);
    }

    [Fact]
    public void Dynamic_table_ring_keeps_order_through_growth_and_eviction()
    {
        var table = new DynamicTable(4096);
        for (var i = 0; i < 100; i++)
        {
            table.Insert(new HeaderField("k", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // 100 entries of 34 octets do not fit 4096: the newest 120 would, so all 100 stay... then more.
        Assert.Equal("99", table[0].Value);
        Assert.Equal("0", table[table.Count - 1].Value);
        for (var i = 100; i < 200; i++)
        {
            table.Insert(new HeaderField("k", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.True(table.Size <= 4096);
        Assert.Equal("199", table[0].Value);
        Assert.Equal((200 - table.Count).ToString(System.Globalization.CultureInfo.InvariantCulture), table[table.Count - 1].Value);
    }

    [Fact]
    public void Header_list_over_the_limit_is_its_own_exception()
    {
        var decoder = new HpackDecoder(maxHeaderListSize: 1024);
        var block = Encode([new("x-big", new string('v', 600)), new("x-big2", new string('w', 600))]);
        Assert.Throws<HpackHeaderListTooLargeException>(() => decoder.Decode(block, []));

        var single = Encode([new("x-huge", new string('v', 2000))], huffman: false);
        Assert.Throws<HpackHeaderListTooLargeException>(() => new HpackDecoder(maxHeaderListSize: 1024).Decode(single, []));
    }

    [Fact]
    public void Encoder_output_decodes_to_the_same_fields_and_uses_the_static_table()
    {
        HeaderField[] fields =
        [
            new(":method", "CONNECT"), new(":authority", "10.1.2.3:8080"), new(":status", "200"),
            new("authorization", "Bearer secret"), new("x-weft-peer", "spiffe://cluster.local/ns/a/sa/b"), new("empty", ""),
            new("latin1", "caf\u00e9"),
        ];
        foreach (var huffman in new[] { true, false })
        {
            var block = Encode(fields, huffman);
            var decoded = new List<HeaderField>();
            new HpackDecoder().Decode(block, decoded);
            Assert.Equal(fields, decoded);
        }

        Assert.Equal([0x88], Encode([new(":status", "200")]));
        // never indexed (0x10) with static name 23: 15 fills the 4-bit prefix, 8 follows
        Assert.Equal([0x1f, 0x08], Encode([new("authorization", "x")])[..2]);
    }

    [Fact]
    public void Random_input_only_ever_throws_hpack_exception()
    {
        var random = new Random(12345);
        var valid = Convert.FromHexString("828684418cf1e3c2e5f23a6ba0ab90f4ff828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf");
        for (var i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 64)];
                random.NextBytes(input);
            }
            else
            {
                // Mutations of a valid block reach deeper than pure noise.
                input = (byte[])valid.Clone();
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                input = input[..random.Next(1, input.Length + 1)];
            }

            try
            {
                new HpackDecoder(maxTableSize: 4096, maxHeaderListSize: 4096).Decode(input, []);
            }
            catch (HpackException)
            {
            }
        }
    }

    private static byte[] Encode(HeaderField[] fields, bool huffman = true)
    {
        var w = new ArrayBufferWriter<byte>();
        HpackEncoder.Encode(fields, w, huffman);
        return w.WrittenSpan.ToArray();
    }
}
