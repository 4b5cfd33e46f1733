using System.Text;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>Client and server connections of ours over loopback TCP and TLS 1.3: CONNECT tunnels end to end.</summary>
public class ConnectTunnelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Connect_gets_200_and_the_server_sees_the_request(bool tls)
    {
        var seen = new TaskCompletionSource<IReadOnlyList<HeaderField>>();
        await using var server = TestServer.Start(async s =>
        {
            seen.TrySetResult(s.RequestHeaders);
            await Echo.Handler(s);
        }, tls: tls);
        await using var client = await TestClient.ConnectAsync(server.EndPoint, tls: tls);

        HeaderField[] request = [new(":method", "CONNECT"), new(":authority", "10.0.0.9:443"), new("baggage", "k8s.pod.name=web-1")];
        var stream = await client.Connection.OpenStreamAsync(request);
        Assert.Equal(1, stream.Id);
        var response = await stream.ResponseHeaders.WaitAsync(Timeout);
        Assert.Equal("200", response.Get(":status"));
        Assert.Equal(request, await seen.Task.WaitAsync(Timeout));

        await stream.WriteAsync("hello through the tunnel"u8.ToArray());
        await stream.CompleteWritesAsync();
        Assert.Equal("hello through the tunnel", Encoding.ASCII.GetString(await Echo.ReadAllAsync(stream).WaitAsync(Timeout)));
        Assert.Equal(0, client.Connection.ActiveStreams);
    }

    [Fact]
    public async Task Refused_connect_gets_its_status_and_an_ended_stream()
    {
        await using var server = TestServer.Start(s => s.RespondAsync([new(":status", "503")], endStream: true).AsTask());
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        Assert.Equal("503", (await stream.ResponseHeaders.WaitAsync(Timeout)).Get(":status"));
        Assert.Equal(0, await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(Timeout));
    }

    [Theory]
    [InlineData(false, 1L << 20)]
    [InlineData(true, 64L << 20)]
    public async Task Bidirectional_data_arrives_intact(bool tls, long size)
    {
        await using var server = TestServer.Start(tls: tls);
        await using var client = await TestClient.ConnectAsync(server.EndPoint, tls: tls);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        var receive = Echo.ReceiveAsync(stream);
        var sent = await Echo.SendAsync(stream, size, seed: 1).WaitAsync(TimeSpan.FromSeconds(40));
        var (count, received) = await receive.WaitAsync(TimeSpan.FromSeconds(40));
        Assert.Equal(size, count);
        Assert.Equal(Convert.ToHexString(sent), Convert.ToHexString(received));
    }

    [Fact]
    public async Task Both_directions_carry_different_data_at_once()
    {
        // The server sends its own stream of data while receiving the client's; digests both ways.
        var serverGot = new TaskCompletionSource<(long, byte[])>();
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            var receive = Echo.ReceiveAsync(s);
            await Echo.SendAsync(s, 8L << 20, seed: 99);
            serverGot.SetResult(await receive);
        });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        var receive = Echo.ReceiveAsync(stream);
        var sent = await Echo.SendAsync(stream, 8L << 20, seed: 5);
        var (serverCount, serverDigest) = await serverGot.Task.WaitAsync(Timeout);
        Assert.Equal(8L << 20, serverCount);
        Assert.Equal(sent, serverDigest);
        var (count, digest) = await receive.WaitAsync(Timeout);
        Assert.Equal(8L << 20, count);
        Assert.Equal(Digest(8L << 20, 99), digest);
    }

    [Fact]
    public async Task Client_half_close_lets_the_server_keep_sending()
    {
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            var request = await Echo.ReadAllAsync(s); // ends when the client half-closes
            await s.WriteAsync(Encoding.ASCII.GetBytes($"got {request.Length} octets, "));
            await Task.Delay(50);
            await s.WriteAsync("and still talking"u8.ToArray());
            await s.CompleteWritesAsync();
        });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        await stream.WriteAsync(new byte[1000]);
        await stream.CompleteWritesAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await stream.WriteAsync(new byte[1]));
        Assert.Equal("got 1000 octets, and still talking", Encoding.ASCII.GetString(await Echo.ReadAllAsync(stream).WaitAsync(Timeout)));
    }

    [Fact]
    public async Task Server_half_close_lets_the_client_keep_sending()
    {
        var serverReceived = new TaskCompletionSource<int>();
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            await s.WriteAsync("bye"u8.ToArray());
            await s.CompleteWritesAsync();
            serverReceived.SetResult((await Echo.ReadAllAsync(s)).Length);
        });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        Assert.Equal("bye", Encoding.ASCII.GetString(await Echo.ReadAllAsync(stream).WaitAsync(Timeout)));
        await stream.WriteAsync(new byte[100_000]); // the server's side is closed, ours is not
        await stream.CompleteWritesAsync();
        Assert.Equal(100_000, await serverReceived.Task.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Client_reset_reaches_the_server_reader()
    {
        var serverError = new TaskCompletionSource<Exception>();
        await using var server = TestServer.Start(async s =>
        {
            if (s.Id != 1)
            {
                await Echo.Handler(s);
                return;
            }

            await s.RespondAsync(Echo.Ok, endStream: false);
            try
            {
                await Echo.ReadAllAsync(s);
                serverError.TrySetResult(new InvalidOperationException("the read ended normally"));
            }
            catch (Exception e)
            {
                serverError.TrySetResult(e);
            }
        });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        await stream.ResponseHeaders.WaitAsync(Timeout);
        await stream.WriteAsync(new byte[10]);
        stream.Reset(Http2ErrorCode.Cancel);
        var e = Assert.IsType<Http2StreamException>(await serverError.Task.WaitAsync(Timeout));
        Assert.Equal(Http2ErrorCode.Cancel, e.ErrorCode);
        await Assert.ThrowsAsync<Http2StreamException>(async () => await stream.ReadAsync(new byte[1]));
        await client.EchoRoundTripAsync(); // the connection lives on
    }

    [Fact]
    public async Task Server_reset_reaches_the_client_reader_and_writer()
    {
        await using var server = TestServer.Start(async s =>
        {
            if (s.Id != 1)
            {
                await Echo.Handler(s);
                return;
            }

            await s.RespondAsync(Echo.Ok, endStream: false);
            var buffer = new byte[10];
            await s.ReadAsync(buffer);
            s.Reset(Http2ErrorCode.ConnectError);
        });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        await stream.WriteAsync(new byte[10]);
        var e = await Assert.ThrowsAsync<Http2StreamException>(async () => await stream.ReadAsync(new byte[10]).AsTask().WaitAsync(Timeout));
        Assert.Equal(Http2ErrorCode.ConnectError, e.ErrorCode);
        var w = await Assert.ThrowsAsync<Http2StreamException>(async () => await stream.WriteAsync(new byte[10]));
        Assert.Equal(Http2ErrorCode.ConnectError, w.ErrorCode);
        await client.EchoRoundTripAsync();
    }

    [Fact]
    public async Task Handler_failure_resets_only_its_stream()
    {
        await using var server = TestServer.Start(s => s.RequestHeaders.Get(":authority") == "boom:1"
            ? throw new InvalidOperationException("handler bug")
            : Echo.Handler(s));
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync([new(":method", "CONNECT"), new(":authority", "boom:1")]);
        var e = await Assert.ThrowsAsync<Http2StreamException>(() => stream.ResponseHeaders.WaitAsync(Timeout));
        Assert.Equal(Http2ErrorCode.InternalError, e.ErrorCode);
        await client.EchoRoundTripAsync();
    }

    [Fact]
    public async Task Small_stream_is_not_stuck_behind_a_bulk_one()
    {
        await using var server = TestServer.Start();
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var bulk = await client.Connection.OpenStreamAsync(Echo.Connect());
        long received = 0;
        var bulkReceive = Task.Run(async () =>
        {
            var sink = new byte[64 * 1024];
            int n;
            while ((n = await bulk.ReadAsync(sink)) > 0)
            {
                Interlocked.Add(ref received, n);
            }
        });

        // The bulk stream sends until the small exchange is done: were the small stream queued
        // behind it, that exchange could never finish.
        using var stop = new CancellationTokenSource();
        var bulkSend = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            long sent = 0;
            while (!stop.IsCancellationRequested)
            {
                await bulk.WriteAsync(chunk);
                sent += chunk.Length;
            }

            await bulk.CompleteWritesAsync();
            return sent;
        });
        Assert.True(await EventuallyAsync(() => Interlocked.Read(ref received) > 8 << 20), "the bulk stream is not flowing");

        await client.EchoRoundTripAsync("quick").WaitAsync(Timeout);
        var receivedMeanwhile = Interlocked.Read(ref received);
        await stop.CancelAsync();
        var sent = await bulkSend.WaitAsync(Timeout);
        await bulkReceive.WaitAsync(Timeout);
        Assert.Equal(sent, Interlocked.Read(ref received));
        Assert.True(sent > receivedMeanwhile, "the bulk stream had stopped before the small exchange ended");
    }

    [Fact]
    public async Task Idle_stream_holds_no_buffer()
    {
        var serverStream = new TaskCompletionSource<Http2Stream>();
        var release = new TaskCompletionSource();
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            serverStream.SetResult(s);
            await release.Task;
            await Echo.CopyAsync(s, s);
            await s.CompleteWritesAsync();
        });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        var s = await serverStream.Task.WaitAsync(Timeout);
        await stream.WriteAsync(new byte[100_000]);
        Assert.True(await EventuallyAsync(() => s.BufferedBytes == 100_000));
        Assert.True(s.Received.SegmentsHeld > 0);
        release.SetResult();
        var echoed = new byte[100_000];
        await stream.ReadExactlyAsync(echoed).WaitAsync(Timeout);
        Assert.Equal(0, s.Received.SegmentsHeld);
        Assert.Equal(0, stream.Received.SegmentsHeld);
        await stream.CompleteWritesAsync();
    }

    [Fact]
    public async Task Idle_connection_holds_no_frame_buffer()
    {
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            await Echo.CopyAsync(s, s);
            await s.CompleteWritesAsync();
        });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        await stream.WriteAsync(new byte[200_000]);
        var echoed = new byte[200_000];
        await stream.ReadExactlyAsync(echoed).WaitAsync(Timeout);

        // The stream stays open, the connection goes quiet: a pooled HBONE connection's usual state.
        var serverConnection = Assert.Single(server.Connections);
        Assert.True(await EventuallyAsync(() => client.Connection.FrameBufferBytesHeld == 0 && serverConnection.FrameBufferBytesHeld == 0));
        await stream.CompleteWritesAsync();
    }

    internal static async Task<bool> EventuallyAsync(Func<bool> condition, int timeoutMs = 10_000)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    private static byte[] Digest(long size, int seed)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var random = new Random(seed);
        var buffer = new byte[64 * 1024];
        for (long done = 0; done < size; done += buffer.Length)
        {
            var n = (int)Math.Min(buffer.Length, size - done);
            random.NextBytes(buffer.AsSpan(0, n));
            hash.AppendData(buffer.AsSpan(0, n));
        }

        return hash.GetHashAndReset();
    }
}

internal static class StreamExtensions
{
    public static async Task ReadExactlyAsync(this Http2Stream stream, byte[] buffer)
    {
        for (var done = 0; done < buffer.Length;)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(done));
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            done += n;
        }
    }
}
