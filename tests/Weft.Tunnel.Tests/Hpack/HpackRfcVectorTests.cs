using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Hpack;

namespace Weft.Tunnel.Tests.Hpack;

/// <summary>RFC 7541 Appendix C: every example decoded, with the dynamic table checked after each.</summary>
public class HpackRfcVectorTests
{
    private static readonly HeaderField[] Request1 = [new(":method", "GET"), new(":scheme", "http"), new(":path", "/"), new(":authority", "www.example.com")];
    private static readonly HeaderField[] Request2 = [.. Request1, new("cache-control", "no-cache")];
    private static readonly HeaderField[] Request3 =
        [new(":method", "GET"), new(":scheme", "https"), new(":path", "/index.html"), new(":authority", "www.example.com"), new("custom-key", "custom-value")];

    private static readonly HeaderField[] Response1 =
        [new(":status", "302"), new("cache-control", "private"), new("date", "Mon, 21 Oct 2013 20:13:21 GMT"), new("location", "https://www.example.com")];
    private static readonly HeaderField[] Response2 = [new(":status", "307"), .. Response1[1..]];
    private static readonly HeaderField[] Response3 =
    [
        new(":status", "200"), new("cache-control", "private"), new("date", "Mon, 21 Oct 2013 20:13:22 GMT"), new("location", "https://www.example.com"),
        new("content-encoding", "gzip"), new("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"),
    ];

    [Fact]
    public void C2_1_literal_with_indexing()
    {
        var decoder = new HpackDecoder();
        var fields = Decode(decoder, "400a637573746f6d2d6b65790d637573746f6d2d686561646572");
        Assert.Equal([new HeaderField("custom-key", "custom-header")], fields);
        Assert.Equal(1, decoder.Table.Count);
        Assert.Equal(55, decoder.Table.Size);
        Assert.Equal(new HeaderField("custom-key", "custom-header"), decoder.Table[0]);
    }

    [Fact]
    public void C2_2_literal_without_indexing()
    {
        var decoder = new HpackDecoder();
        Assert.Equal([new HeaderField(":path", "/sample/path")], Decode(decoder, "040c2f73616d706c652f70617468"));
        Assert.Equal(0, decoder.Table.Count);
    }

    [Fact]
    public void C2_3_literal_never_indexed()
    {
        var decoder = new HpackDecoder();
        Assert.Equal([new HeaderField("password", "secret")], Decode(decoder, "100870617373776f726406736563726574"));
        Assert.Equal(0, decoder.Table.Count);
    }

    [Fact]
    public void C2_4_indexed()
    {
        var decoder = new HpackDecoder();
        Assert.Equal([new HeaderField(":method", "GET")], Decode(decoder, "82"));
        Assert.Equal(0, decoder.Table.Count);
    }

    [Theory]
    [InlineData("C.3 plain",
        "828684410f7777772e6578616d706c652e636f6d",
        "828684be58086e6f2d6361636865",
        "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565")]
    [InlineData("C.4 Huffman",
        "828684418cf1e3c2e5f23a6ba0ab90f4ff",
        "828684be5886a8eb10649cbf",
        "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf")]
    public void C3_C4_requests_share_one_dynamic_table(string name, string first, string second, string third)
    {
        Assert.NotNull(name);
        var decoder = new HpackDecoder();
        Assert.Equal(Request1, Decode(decoder, first));
        AssertTable(decoder, 57, new HeaderField(":authority", "www.example.com"));

        Assert.Equal(Request2, Decode(decoder, second));
        AssertTable(decoder, 110, new HeaderField("cache-control", "no-cache"), new HeaderField(":authority", "www.example.com"));

        Assert.Equal(Request3, Decode(decoder, third));
        AssertTable(decoder, 164, new HeaderField("custom-key", "custom-value"), new HeaderField("cache-control", "no-cache"), new HeaderField(":authority", "www.example.com"));
    }

    [Theory]
    [InlineData("C.5 plain",
        "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
        "4803333037c1c0bf",
        "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31")]
    [InlineData("C.6 Huffman",
        "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
        "4883640effc1c0bf",
        "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007")]
    public void C5_C6_responses_evict_from_a_256_octet_table(string name, string first, string second, string third)
    {
        Assert.NotNull(name);
        var decoder = new HpackDecoder(maxTableSize: 256);
        decoder.Table.SetMaxSize(256);
        Assert.Equal(Response1, Decode(decoder, first));
        AssertTable(decoder, 222, Response1[3], Response1[2], Response1[1], Response1[0]);

        // ":status: 302" is evicted to make room for ":status: 307".
        Assert.Equal(Response2, Decode(decoder, second));
        AssertTable(decoder, 222, Response2[0], Response1[3], Response1[2], Response1[1]);

        Assert.Equal(Response3, Decode(decoder, third));
        AssertTable(decoder, 215, Response3[5], Response3[4], Response3[2]);
    }

    internal static List<HeaderField> Decode(HpackDecoder decoder, string hex)
    {
        var fields = new List<HeaderField>();
        decoder.Decode(Convert.FromHexString(hex), fields);
        return fields;
    }

    private static void AssertTable(HpackDecoder decoder, int size, params HeaderField[] newestFirst)
    {
        Assert.Equal(size, decoder.Table.Size);
        Assert.Equal(newestFirst.Length, decoder.Table.Count);
        for (var i = 0; i < newestFirst.Length; i++)
        {
            Assert.Equal(newestFirst[i], decoder.Table[i]);
        }
    }
}
