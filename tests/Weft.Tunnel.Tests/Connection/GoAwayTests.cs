using System.Text;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>Graceful shutdown both ways: existing streams finish, new ones are refused, the last stream id is honoured.</summary>
public class GoAwayTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GoAway_drains_the_open_stream_then_ends_both_sides_cleanly(bool fromServer)
    {
        await using var server = TestServer.Start();
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        await stream.WriteAsync("before "u8.ToArray());
        await stream.ResponseHeaders.WaitAsync(Timeout);
        var serverConnection = Assert.Single(server.Connections);

        await (fromServer ? serverConnection : client.Connection).GoAwayAsync(Http2ErrorCode.NoError);
        Assert.True(await ConnectTunnelTests.EventuallyAsync(() => !client.Connection.CanOpenStream));
        await Assert.ThrowsAsync<Http2ConnectionException>(() => client.Connection.OpenStreamAsync(Echo.Connect()));

        // The stream that was open finishes its exchange.
        await stream.WriteAsync("and after"u8.ToArray());
        await stream.CompleteWritesAsync();
        Assert.Equal("before and after", Encoding.ASCII.GetString(await Echo.ReadAllAsync(stream).WaitAsync(Timeout)));

        await client.Run.WaitAsync(Timeout);
        Assert.Null(await server.NextEndedAsync());
        await client.Connection.Completion.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Draining_server_refuses_new_streams_above_its_last_stream_id()
    {
        var release = new TaskCompletionSource();
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            await release.Task;
            await Echo.CopyAsync(s, s);
            await s.CompleteWritesAsync();
        });
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();
        await raw.SendConnectAsync(1);
        await raw.ExpectAsync(FrameType.Headers);

        await Assert.Single(server.Connections).GoAwayAsync(Http2ErrorCode.NoError);
        var goAway = await raw.ExpectAsync(FrameType.GoAway);
        Assert.Equal((1, Http2ErrorCode.NoError), (goAway.LastStreamId, goAway.ErrorCode));

        await raw.SendConnectAsync(3);
        var rst = await raw.ExpectAsync(FrameType.RstStream);
        Assert.Equal((3, Http2ErrorCode.RefusedStream), (rst.StreamId, rst.ErrorCode));

        // Stream 1 still works; when it ends, so does the connection.
        release.SetResult();
        await raw.SendAsync(w => FrameWriter.WriteData(w, 1, "x"u8, endStream: true));
        var data = await raw.ExpectAsync(FrameType.Data, f => f.Header.Length > 0);
        Assert.Equal("x"u8.ToArray(), data.Payload);
        await raw.ExpectAsync(FrameType.Data, f => f.Header.Has(FrameFlags.EndStream));
        await raw.ExpectClosedAsync();
        raw.CloseWrites();
        Assert.Null(await server.NextEndedAsync());
    }

    [Fact]
    public async Task Client_fails_streams_above_the_peer_last_stream_id_and_keeps_the_others()
    {
        var (clientSide, serverSide) = await Loopback.TcpPairAsync();
        await using var raw = new RawPeer(serverSide);
        await using var client = TestClient.Over(clientSide);
        await raw.HandshakeAsServerAsync();
        var one = await client.Connection.OpenStreamAsync(Echo.Connect());
        var three = await client.Connection.OpenStreamAsync(Echo.Connect());
        await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 3);
        await raw.SendHeadersAsync(1, false, Echo.Ok);
        await raw.SendHeadersAsync(3, false, Echo.Ok);
        await raw.SendAsync(w => FrameWriter.WriteGoAway(w, 1, Http2ErrorCode.NoError, []));

        var refused = await Assert.ThrowsAsync<Http2StreamException>(async () => await three.ReadAsync(new byte[1]).AsTask().WaitAsync(Timeout));
        Assert.Equal(Http2ErrorCode.RefusedStream, refused.ErrorCode);
        Assert.False(client.Connection.CanOpenStream);

        await raw.SendAsync(w => FrameWriter.WriteData(w, 1, "last words"u8, endStream: true));
        Assert.Equal("last words", Encoding.ASCII.GetString(await Echo.ReadAllAsync(one).WaitAsync(Timeout)));
        await one.WriteAsync("reply"u8.ToArray());
        await one.CompleteWritesAsync();
        Assert.Equal("reply"u8.ToArray(), (await raw.ExpectAsync(FrameType.Data, f => f.StreamId == 1 && f.Header.Length > 0)).Payload);

        // With its last stream done, the client says goodbye too and closes.
        var goAway = await raw.ExpectAsync(FrameType.GoAway);
        Assert.Equal(Http2ErrorCode.NoError, goAway.ErrorCode);
        await raw.ExpectClosedAsync();
        raw.CloseWrites();
        await client.Run.WaitAsync(Timeout);
    }
}
