using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>
/// SETTINGS_MAX_CONCURRENT_STREAMS both ways: our client queues opens beyond the server's limit
/// (so none is refused), and our server refuses streams beyond its limit with REFUSED_STREAM.
/// </summary>
public class ConcurrencyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Five_hundred_streams_queue_behind_a_limit_of_one_hundred()
    {
        var active = 0;
        var maxActive = 0;
        await using var server = TestServer.Start(async s =>
        {
            var now = Interlocked.Increment(ref active);
            InterlockedMax(ref maxActive, now);
            try
            {
                await Task.Delay(2); // keep streams overlapping
                await Echo.Handler(s);
            }
            finally
            {
                Interlocked.Decrement(ref active);
            }
        }, new Http2Options { MaxConcurrentStreams = 100 });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);

        var tasks = Enumerable.Range(0, 500).Select(i => Task.Run(async () =>
        {
            var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
            var receive = Echo.ReceiveAsync(stream);
            var sent = await Echo.SendAsync(stream, 4096 + i, seed: i);
            var (count, digest) = await receive;
            Assert.Equal(4096 + i, count);
            Assert.Equal(sent, digest);
            return stream.Id;
        })).ToArray();
        var ids = await Task.WhenAll(tasks).WaitAsync(Timeout);

        Assert.Equal(500, ids.Distinct().Count());
        Assert.True(maxActive <= 100, $"the server saw {maxActive} streams at once");
        Assert.True(maxActive >= 50, $"streams hardly overlapped ({maxActive}); the limit was not exercised");
        Assert.Equal(0, client.Connection.ActiveStreams);
    }

    [Fact]
    public async Task Open_waits_at_the_peer_limit_and_can_open_stream_says_so()
    {
        var release = new TaskCompletionSource();
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            await release.Task;
            await Echo.CopyAsync(s, s);
            await s.CompleteWritesAsync();
        }, new Http2Options { MaxConcurrentStreams = 2 });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var a = await client.Connection.OpenStreamAsync(Echo.Connect());
        Assert.True(client.Connection.CanOpenStream);
        var b = await client.Connection.OpenStreamAsync(Echo.Connect());
        Assert.False(client.Connection.CanOpenStream);
        Assert.Equal(2, client.Connection.ActiveStreams);

        var third = client.Connection.OpenStreamAsync(Echo.Connect());
        using (var cancelled = new CancellationTokenSource(50))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Connection.OpenStreamAsync(Echo.Connect(), cancelled.Token));
        }

        await Task.Delay(100);
        Assert.False(third.IsCompleted);

        release.SetResult();
        await a.CompleteWritesAsync();
        Assert.Empty(await Echo.ReadAllAsync(a).WaitAsync(Timeout));
        var c = await third.WaitAsync(Timeout);
        Assert.Equal(5, c.Id);
        await b.CompleteWritesAsync();
        await c.CompleteWritesAsync();
        await Echo.ReadAllAsync(b).WaitAsync(Timeout);
        await Echo.ReadAllAsync(c).WaitAsync(Timeout);
        Assert.True(client.Connection.CanOpenStream);
    }

    [Fact]
    public async Task Server_refuses_streams_beyond_its_limit()
    {
        var release = new TaskCompletionSource();
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            await release.Task;
        }, new Http2Options { MaxConcurrentStreams = 2 });
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        var settings = await raw.HandshakeAsClientAsync();
        Assert.Contains(Enumerable.Range(0, settings.Header.Length / 6).Select(i => FrameReader.ReadSetting(new(settings.Payload), i)),
            s => s == new Setting(SettingId.MaxConcurrentStreams, 2));

        await raw.SendConnectAsync(1);
        await raw.SendConnectAsync(3);
        await raw.SendConnectAsync(5);
        var rst = await raw.ExpectAsync(FrameType.RstStream);
        Assert.Equal((5, Http2ErrorCode.RefusedStream), (rst.StreamId, rst.ErrorCode));

        // The connection carries on: both accepted streams answered, PING still answered.
        await raw.SendAsync(w => FrameWriter.WritePing(w, 77, ack: false));
        await raw.ExpectAsync(FrameType.Ping, f => f.Header.Has(FrameFlags.Ack));
        release.SetResult();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
