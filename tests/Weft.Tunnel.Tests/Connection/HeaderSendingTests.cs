using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>What we send is well formed: malformed lists are refused before any frame goes out.</summary>
public class HeaderSendingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Malformed_requests_and_responses_are_argument_errors()
    {
        var responded = new TaskCompletionSource<Exception?>();
        await using var server = TestServer.Start(async s =>
        {
            try
            {
                await s.RespondAsync([new("content-type", "x")], endStream: true);
                responded.SetResult(null);
            }
            catch (Exception e)
            {
                responded.SetResult(e);
                await s.RespondAsync([new(":status", "200")], endStream: true);
            }
        });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        await Assert.ThrowsAsync<ArgumentException>(() => client.Connection.OpenStreamAsync([new(":method", "CONNECT"), new(":authority", "a:1"), new(":path", "/")]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.Connection.OpenStreamAsync([new(":method", "CONNECT"), new(":authority", "a:1"), new("X-Upper", "1")]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.Connection.OpenStreamAsync([new(":method", "CONNECT")]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.Connection.OpenStreamAsync([new(":method", "CONNECT"), new(":authority", "a:1"), new("x-bad", "line\r\nbreak")]));

        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        Assert.Equal(1, stream.Id); // the refused attempts used no stream id
        Assert.IsType<ArgumentException>(await responded.Task.WaitAsync(Timeout));
        Assert.Equal("200", (await stream.ResponseHeaders.WaitAsync(Timeout)).Get(":status"));
    }

    [Fact]
    public async Task Requests_beyond_the_peer_header_list_limit_are_refused_locally()
    {
        var (clientSide, serverSide) = await Loopback.TcpPairAsync();
        await using var raw = new RawPeer(serverSide);
        await using var client = TestClient.Over(clientSide);
        await raw.HandshakeAsServerAsync(new Setting(SettingId.MaxHeaderListSize, 200));
        var large = Echo.Connect().Append(new HeaderField("x-big", new string('b', 200))).ToArray();
        await Assert.ThrowsAsync<ArgumentException>(() => client.Connection.OpenStreamAsync(large));
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        Assert.Equal(1, (await raw.ExpectAsync(FrameType.Headers)).StreamId);
        Assert.Equal(1, stream.Id);
    }

    [Fact]
    public async Task Large_header_blocks_go_out_as_headers_and_continuation()
    {
        var seen = new TaskCompletionSource<IReadOnlyList<HeaderField>>();
        await using var server = TestServer.Start(async s =>
        {
            seen.SetResult(s.RequestHeaders);
            await Echo.Handler(s);
        }, new Http2Options { MaxHeaderListSize = 64 * 1024 });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);

        // 40 KB of incompressible-ish values: more than one 16 KiB frame even after Huffman coding.
        var random = new Random(3);
        var fields = Echo.Connect().Concat(Enumerable.Range(0, 40).Select(i =>
            new HeaderField($"x-field-{i}", new string(Enumerable.Range(0, 1000).Select(_ => (char)random.Next(33, 127)).ToArray())))).ToArray();
        var stream = await client.Connection.OpenStreamAsync(fields);
        Assert.Equal(fields, await seen.Task.WaitAsync(Timeout));
        await stream.CompleteWritesAsync();
        Assert.Empty(await Echo.ReadAllAsync(stream).WaitAsync(Timeout));
    }
}
