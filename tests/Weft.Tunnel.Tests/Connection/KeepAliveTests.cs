using System.Buffers;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>PING keep-alive and its timeout, answering the peer's PINGs, and the SETTINGS acknowledgement timeout.</summary>
public class KeepAliveTests
{
    private static readonly Http2Options Fast = new() { PingInterval = TimeSpan.FromMilliseconds(100), PingTimeout = TimeSpan.FromMilliseconds(300) };

    [Fact]
    public async Task Unanswered_ping_closes_the_connection()
    {
        var (clientSide, serverSide) = await Loopback.TcpPairAsync();
        await using var raw = new RawPeer(serverSide);
        await using var client = TestClient.Over(clientSide, Fast);
        await raw.HandshakeAsServerAsync();
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());

        // The client pings when it hears nothing; we never answer.
        var ping = await raw.ExpectAsync(FrameType.Ping, timeout: TimeSpan.FromSeconds(2));
        Assert.False(ping.Header.Has(FrameFlags.Ack));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<Http2ConnectionException>(() => client.Run.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("PING", e.Message, StringComparison.Ordinal);
        Assert.InRange(sw.ElapsedMilliseconds, 100, 5000);
        await Assert.ThrowsAsync<Http2ConnectionException>(async () => await stream.ReadAsync(new byte[1]));
        await raw.ExpectAsync(FrameType.GoAway);
    }

    [Fact]
    public async Task Idle_connection_stays_up_on_answered_pings()
    {
        // Frequent pings, but a timeout loose enough for a loaded test machine.
        var options = new Http2Options { PingInterval = TimeSpan.FromMilliseconds(100), PingTimeout = TimeSpan.FromSeconds(3) };
        await using var server = TestServer.Start(options: options);
        await using var client = await TestClient.ConnectAsync(server.EndPoint, options);
        Assert.True(await ConnectTunnelTests.EventuallyAsync(() => client.Connection.PingsAcknowledged >= 5), "pings were not exchanged");
        Assert.False(client.Run.IsCompleted);
        await client.EchoRoundTripAsync();
    }

    [Fact]
    public async Task A_peer_dribbling_one_frame_forever_meets_the_ping_timeout()
    {
        // The interval is well above the gaps between the dribbled bytes (Nagle and delayed ACKs
        // can stretch 50 ms to 200): counting bytes, the connection would never look idle.
        var options = new Http2Options { PingInterval = TimeSpan.FromSeconds(1), PingTimeout = TimeSpan.FromSeconds(1) };
        await using var server = TestServer.Start(options: options);
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();

        // A DATA frame header announcing 64 KiB, then a byte every 50 ms: bytes keep coming, but
        // no frame ever completes (so no PING can be answered either).
        await raw.SendAsync(w => w.Write(new byte[] { 0x01, 0x00, 0x00, (byte)FrameType.Data, 0, 0, 0, 0, 1 }));
        using var stop = new CancellationTokenSource();
        var dribble = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await raw.SendAsync(w => w.Write(new byte[] { 0x2a }));
                await Task.Delay(50, stop.Token);
            }
        });

        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(8))
        {
            var frame = await raw.ReadFrameAsync(TimeSpan.FromSeconds(8));
            if (frame is null || frame.Type == FrameType.GoAway)
            {
                break; // ended: GOAWAY or the transport closed
            }
        }

        await stop.CancelAsync();
        await dribble.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8), "the dribbling peer kept the connection alive");
        Assert.InRange(sw.ElapsedMilliseconds, 1500, 8000);
    }

    [Fact]
    public async Task Peer_ping_is_answered_with_its_payload()
    {
        await using var server = TestServer.Start();
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();
        await raw.SendAsync(w => FrameWriter.WritePing(w, 0xDEADBEEF_CAFEF00D, ack: false));
        var ack = await raw.ExpectAsync(FrameType.Ping);
        Assert.True(ack.Header.Has(FrameFlags.Ack));
        Assert.Equal(0xDEADBEEF_CAFEF00D, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(ack.Payload));
    }

    [Fact]
    public async Task Unacknowledged_settings_end_with_settings_timeout()
    {
        await using var server = TestServer.Start(options: Fast);
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.SendAsync(w =>
        {
            w.Write(ConnectionPreface.Client);
            FrameWriter.WriteSettings(w, []);
        });

        // Answer PINGs (so only the SETTINGS ACK is missing) but never acknowledge SETTINGS.
        while (true)
        {
            var frame = await raw.ReadFrameAsync(TimeSpan.FromSeconds(5)) ?? throw new IOException("closed without GOAWAY");
            if (frame.Type == FrameType.Ping && !frame.Header.Has(FrameFlags.Ack))
            {
                await raw.SendAsync(w => FrameWriter.WritePing(w, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(frame.Payload), ack: true));
            }
            else if (frame.Type == FrameType.GoAway)
            {
                Assert.Equal(Http2ErrorCode.SettingsTimeout, frame.ErrorCode);
                break;
            }
        }
    }
}
