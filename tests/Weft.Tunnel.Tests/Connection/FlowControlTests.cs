using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>Windows both ways: back-pressure from a slow reader, updates on consumption, the peer's windows obeyed.</summary>
public class FlowControlTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Slow_reader_stalls_the_writer_and_buffers_at_most_the_window()
    {
        const int window = 256 * 1024;
        var serverStream = new TaskCompletionSource<Http2Stream>();
        var release = new TaskCompletionSource();
        var serverDigest = new TaskCompletionSource<(long, byte[])>();
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            serverStream.SetResult(s);
            await release.Task;
            serverDigest.SetResult(await Echo.ReceiveAsync(s, chunk: 4096));
            await s.CompleteWritesAsync();
        }, new Http2Options { InitialStreamWindow = window });
        await using var client = await TestClient.ConnectAsync(server.EndPoint);
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        var s = await serverStream.Task.WaitAsync(Timeout);

        long accepted = 0;
        var payload = new byte[4 << 20];
        new Random(4).NextBytes(payload);
        var write = Task.Run(async () =>
        {
            for (var i = 0; i < payload.Length; i += 16 * 1024)
            {
                await stream.WriteAsync(payload.AsMemory(i, 16 * 1024));
                Interlocked.Add(ref accepted, 16 * 1024);
            }

            await stream.CompleteWritesAsync();
        });

        // The writer stops once the window is used up, and the server holds exactly that much.
        Assert.True(await ConnectTunnelTests.EventuallyAsync(() => s.BufferedBytes == window), $"buffered {s.BufferedBytes}");
        await Task.Delay(300);
        Assert.False(write.IsCompleted);
        Assert.Equal(window, s.BufferedBytes);
        Assert.True(Interlocked.Read(ref accepted) <= window, $"accepted {accepted}");

        release.SetResult();
        await write.WaitAsync(Timeout);
        var (count, digest) = await serverDigest.Task.WaitAsync(Timeout);
        Assert.Equal(payload.Length, count);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(payload), digest);
    }

    [Fact]
    public async Task Window_updates_follow_consumption_not_receipt()
    {
        var read = new TaskCompletionSource();
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            await read.Task;
            var buffer = new byte[20 * 1024];
            Assert.Equal(buffer.Length, await s.ReadAsync(buffer));
            await Task.Delay(System.Threading.Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }, new Http2Options { InitialStreamWindow = 64 * 1024, ConnectionWindow = 1 << 20 });
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();
        await raw.SendConnectAsync(1);
        await raw.ExpectAsync(FrameType.Headers);
        await raw.SendAsync(w => FrameWriter.WriteData(w, 1, new byte[40 * 1024], endStream: false));

        // Received but not read: no window update may come.
        await Assert.ThrowsAsync<TimeoutException>(() => raw.ExpectAsync(FrameType.WindowUpdate, timeout: TimeSpan.FromMilliseconds(300)));

        read.SetResult();
        var update = await raw.ExpectAsync(FrameType.WindowUpdate);
        Assert.Equal(1, update.StreamId);
        Assert.Equal(20 * 1024, (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(update.Payload));
    }

    [Fact]
    public async Task Sender_obeys_the_peer_windows_including_initial_window_changes()
    {
        var (clientSide, serverSide) = await Loopback.TcpPairAsync();
        await using var raw = new RawPeer(serverSide);
        await using var client = TestClient.Over(clientSide);
        await raw.HandshakeAsServerAsync(new Setting(SettingId.InitialWindowSize, 0));
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        await raw.ExpectAsync(FrameType.Headers);
        await raw.SendHeadersAsync(1, false, Echo.Ok);

        var data = new byte[100];
        var write = stream.WriteAsync(data).AsTask();
        await Assert.ThrowsAsync<TimeoutException>(() => raw.ExpectAsync(FrameType.Data, timeout: TimeSpan.FromMilliseconds(200)));

        // Opening the initial window mid-connection opens the open stream's window too.
        await raw.SendAsync(w => FrameWriter.WriteSettings(w, [new(SettingId.InitialWindowSize, 30)]));
        Assert.Equal(30, (await raw.ExpectAsync(FrameType.Data)).Header.Length);
        await raw.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 1, 70));
        Assert.Equal(70, (await raw.ExpectAsync(FrameType.Data)).Header.Length);
        await write.WaitAsync(Timeout);

        // Shrinking it makes the window negative (0 - 30): 40 more only brings it to +10.
        await raw.SendAsync(w => FrameWriter.WriteSettings(w, [new(SettingId.InitialWindowSize, 0)]));
        await raw.ExpectAsync(FrameType.Settings, f => f.Header.Has(FrameFlags.Ack));
        write = stream.WriteAsync(data).AsTask();
        await raw.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 1, 40));
        Assert.Equal(10, (await raw.ExpectAsync(FrameType.Data)).Header.Length);
        await Assert.ThrowsAsync<TimeoutException>(() => raw.ExpectAsync(FrameType.Data, timeout: TimeSpan.FromMilliseconds(200)));
        Assert.False(write.IsCompleted);
        await raw.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 1, 1000));
        Assert.Equal(90, (await raw.ExpectAsync(FrameType.Data)).Header.Length);
        await write.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Sender_obeys_the_connection_window_and_the_peer_frame_size()
    {
        var (clientSide, serverSide) = await Loopback.TcpPairAsync();
        await using var raw = new RawPeer(serverSide);
        await using var client = TestClient.Over(clientSide);
        await raw.HandshakeAsServerAsync(new Setting(SettingId.InitialWindowSize, 1 << 20));
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        await raw.ExpectAsync(FrameType.Headers);
        var write = stream.WriteAsync(new byte[100_000]).AsTask();

        // The connection window stays at its initial 65,535; frames stay within 16,384.
        var got = 0;
        while (got < 65_535)
        {
            var frame = await raw.ExpectAsync(FrameType.Data);
            Assert.True(frame.Header.Length <= 16_384);
            got += frame.Header.Length;
        }

        Assert.Equal(65_535, got);
        await Assert.ThrowsAsync<TimeoutException>(() => raw.ExpectAsync(FrameType.Data, timeout: TimeSpan.FromMilliseconds(200)));
        await raw.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 0, 1 << 20));
        while (got < 100_000)
        {
            got += (await raw.ExpectAsync(FrameType.Data)).Header.Length;
        }

        await write.WaitAsync(Timeout);
    }
}
