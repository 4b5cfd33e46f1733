using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>
/// Floods of frames that each make us queue an answer (PING, SETTINGS), from a peer that never
/// reads them: the answers must not pile up without bound; the connection ends with
/// GOAWAY(ENHANCE_YOUR_CALM) instead. The in-memory transport blocks our writes once 64 KiB
/// sit unread, like a TCP peer that stopped reading.
/// </summary>
public class ControlFloodTests
{
    private const int HeldBound = 128 * 1024;

    [Fact]
    public async Task Ping_flood_from_a_peer_that_does_not_read_ends_with_enhance_your_calm()
    {
        await AssertFloodEndsCalmlyAsync(w => FrameWriter.WritePing(w, 42, ack: false));
    }

    [Fact]
    public async Task Settings_flood_from_a_peer_that_does_not_read_ends_with_enhance_your_calm()
    {
        await AssertFloodEndsCalmlyAsync(w => FrameWriter.WriteSettings(w, [new Setting(SettingId.InitialWindowSize, 65_535)]));
    }

    [Fact]
    public async Task Settings_frame_with_too_many_entries_ends_with_enhance_your_calm()
    {
        await using var server = TestServer.Start();
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();
        var entries = Enumerable.Repeat(new Setting(SettingId.InitialWindowSize, 65_535), 33).ToArray();
        await raw.SendAsync(w => FrameWriter.WriteSettings(w, entries));
        var goAway = await raw.ExpectGoAwayAndCloseAsync();
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, goAway.ErrorCode);
    }

    [Fact]
    public async Task Settings_frame_with_32_entries_is_accepted()
    {
        await using var server = TestServer.Start();
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();
        var entries = Enumerable.Repeat(new Setting(SettingId.InitialWindowSize, 65_535), 32).ToArray();
        await raw.SendAsync(w => FrameWriter.WriteSettings(w, entries));
        await raw.ExpectAsync(FrameType.Settings, f => f.Header.Has(FrameFlags.Ack));
    }

    [Fact]
    public async Task Write_that_makes_no_progress_for_the_ping_timeout_ends_the_connection()
    {
        // A peer that keeps sending (so keep-alive never pings) but never reads what we send.
        var options = new Http2Options { PingInterval = TimeSpan.FromMilliseconds(100), PingTimeout = TimeSpan.FromMilliseconds(500) };
        var (serverSide, peerSide) = InMemoryDuplex.Create();
        var connection = Http2Connection.Server(serverSide, options, Echo.Handler, TestLog.Null);
        var run = connection.RunAsync();
        await using var raw = new RawPeer(peerSide);
        await raw.HandshakeAsClientAsync();

        // Enough answers (17 octets each) to fill the transport's 64 KiB, but too few beyond that
        // to reach the cap on queued answers; in small bursts, so the writer keeps up until it blocks.
        for (var burst = 0; burst < 15; burst++)
        {
            await raw.SendAsync(w =>
            {
                for (var i = 0; i < 300; i++)
                {
                    FrameWriter.WritePing(w, (ulong)i, ack: false);
                }
            });
            await Task.Delay(20);
        }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!run.IsCompleted && sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            // Unknown frame type: ignored, answered with nothing, but it is input.
            await raw.SendFrameAsync((FrameType)0xEE, FrameFlags.None, 0, new byte[1]);
            await Task.Delay(20);
        }

        var e = await Assert.ThrowsAsync<Http2ConnectionException>(() => run.WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.Contains("write", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(sw.ElapsedMilliseconds, 0, 8000);
    }

    private static async Task AssertFloodEndsCalmlyAsync(Action<System.Buffers.IBufferWriter<byte>> frame)
    {
        var (serverSide, peerSide) = InMemoryDuplex.Create();
        var connection = Http2Connection.Server(serverSide, new Http2Options(), Echo.Handler, TestLog.Null);
        var run = connection.RunAsync();
        await using var raw = new RawPeer(peerSide);
        await raw.HandshakeAsClientAsync();

        var maxHeld = 0;
        for (var chunk = 0; chunk < 100 && !run.IsCompleted; chunk++)
        {
            await raw.SendAsync(w =>
            {
                for (var i = 0; i < 1000; i++)
                {
                    frame(w);
                }
            });
            maxHeld = Math.Max(maxHeld, connection.FrameBufferBytesHeld);
        }

        Assert.InRange(maxHeld, 0, HeldBound);

        // Now read: the answers already sent, then the GOAWAY.
        var goAway = await raw.ExpectAsync(FrameType.GoAway);
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, goAway.ErrorCode);
        var e = await Assert.ThrowsAsync<Http2ConnectionException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, e.ErrorCode);
    }
}
