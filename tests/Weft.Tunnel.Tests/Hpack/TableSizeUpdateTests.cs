using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Http2.Hpack;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Hpack;

/// <summary>
/// A peer lowering SETTINGS_HEADER_TABLE_SIZE below 4096 must see a dynamic table size update at
/// the start of our next header block (RFC 7541 §4.2, RFC 9113 §4.3.1), once.
/// </summary>
public class TableSizeUpdateTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Server_response_after_header_table_size_0_starts_with_a_size_update()
    {
        await using var server = TestServer.Start();
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync(new Setting(SettingId.HeaderTableSize, 0));
        await raw.ExpectAsync(FrameType.Settings, f => f.Header.Has(FrameFlags.Ack));

        await raw.SendConnectAsync(1);
        var first = await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 1, Timeout);
        Assert.Equal(0x20, first.Payload[0]);
        Assert.Equal("200", Decode(first).Get(":status"));

        // Signalled once: the next block starts with its first field.
        await raw.SendConnectAsync(3);
        var second = await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 3, Timeout);
        Assert.NotEqual(0x20, second.Payload[0] & 0xE0);
        Assert.Equal("200", Decode(second).Get(":status"));
    }

    [Fact]
    public async Task Client_request_after_header_table_size_0_starts_with_a_size_update()
    {
        var (clientSide, serverSide) = await Loopback.TcpPairAsync();
        await using var raw = new RawPeer(serverSide);
        await using var client = TestClient.Over(clientSide);
        await raw.HandshakeAsServerAsync(new Setting(SettingId.HeaderTableSize, 0));
        await client.Connection.OpenStreamAsync(Echo.Connect()).WaitAsync(Timeout);
        var request = await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 1, Timeout);
        Assert.Equal(0x20, request.Payload[0]);
        Assert.Equal("CONNECT", Decode(request).Get(":method"));
    }

    [Fact]
    public async Task No_size_update_while_the_peer_keeps_the_default()
    {
        await using var server = TestServer.Start();
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync(new Setting(SettingId.HeaderTableSize, 4096));
        await raw.SendConnectAsync(1);
        var response = await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 1, Timeout);
        Assert.NotEqual(0x20, response.Payload[0] & 0xE0);
    }

    private static List<HeaderField> Decode(Frame headers)
    {
        var fields = new List<HeaderField>();
        new HpackDecoder(maxTableSize: 0).Decode(headers.Payload, fields);
        return fields;
    }
}
