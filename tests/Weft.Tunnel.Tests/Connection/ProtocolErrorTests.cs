using System.Buffers;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Tests.Infrastructure;

namespace Weft.Tunnel.Tests.Connection;

/// <summary>
/// A misbehaving peer ends its own connection with GOAWAY and the right code, and nothing else:
/// each case runs beside a healthy connection to the same server, which must keep working.
/// </summary>
public class ProtocolErrorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly HeaderField[] Connect1 = Echo.Connect();

    public static TheoryData<string> ServerCases => [.. ServerMisbehaviour.Keys];

    private static readonly Dictionary<string, (Http2ErrorCode Code, bool Handshake, Func<RawPeer, Task> Act)> ServerMisbehaviour = new()
    {
        ["bad preface"] = (Http2ErrorCode.ProtocolError, false, p => p.SendRawAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray())),
        ["first frame not SETTINGS"] = (Http2ErrorCode.ProtocolError, false, p => p.SendAsync(w =>
        {
            w.Write(ConnectionPreface.Client);
            FrameWriter.WritePing(w, 1, ack: false);
        })),
        ["SETTINGS on a stream"] = (Http2ErrorCode.ProtocolError, true, p => p.SendFrameAsync(FrameType.Settings, FrameFlags.None, 1, Array.Empty<byte>())),
        ["SETTINGS length not a multiple of 6"] = (Http2ErrorCode.FrameSizeError, true, p => p.SendFrameAsync(FrameType.Settings, FrameFlags.None, 0, new byte[5])),
        ["SETTINGS initial window beyond 2^31-1"] = (Http2ErrorCode.FlowControlError, true, p => p.SendAsync(w => FrameWriter.WriteSettings(w, [new(SettingId.InitialWindowSize, 1u << 31)]))),
        ["SETTINGS max frame size too small"] = (Http2ErrorCode.ProtocolError, true, p => p.SendAsync(w => FrameWriter.WriteSettings(w, [new(SettingId.MaxFrameSize, 1000)]))),
        ["PING on a stream"] = (Http2ErrorCode.ProtocolError, true, p => p.SendFrameAsync(FrameType.Ping, FrameFlags.None, 1, new byte[8])),
        ["PING of the wrong size"] = (Http2ErrorCode.FrameSizeError, true, p => p.SendFrameAsync(FrameType.Ping, FrameFlags.None, 0, new byte[7])),
        ["DATA on stream 0"] = (Http2ErrorCode.ProtocolError, true, p => p.SendFrameAsync(FrameType.Data, FrameFlags.None, 0, new byte[4])),
        ["DATA on an idle stream"] = (Http2ErrorCode.ProtocolError, true, p => p.SendFrameAsync(FrameType.Data, FrameFlags.None, 7, new byte[4])),
        ["DATA on a closed stream"] = (Http2ErrorCode.StreamClosed, true, async p =>
        {
            await CompleteStreamOneAsync(p);
            await p.SendFrameAsync(FrameType.Data, FrameFlags.None, 1, new byte[4]);
        }),
        ["HEADERS on a closed stream"] = (Http2ErrorCode.StreamClosed, true, async p =>
        {
            await CompleteStreamOneAsync(p);
            await p.SendConnectAsync(1);
        }),
        ["HEADERS on stream 0"] = (Http2ErrorCode.ProtocolError, true, p => p.SendHeadersAsync(0, false, Connect1)),
        ["HEADERS on an even (server) stream id"] = (Http2ErrorCode.ProtocolError, true, p => p.SendConnectAsync(2)),
        ["stream id going backwards"] = (Http2ErrorCode.ProtocolError, true, async p =>
        {
            await p.SendConnectAsync(5);
            await p.ExpectAsync(FrameType.Headers);
            await p.SendConnectAsync(3);
        }),
        ["CONTINUATION without HEADERS"] = (Http2ErrorCode.ProtocolError, true, p => p.SendFrameAsync(FrameType.Continuation, FrameFlags.EndHeaders, 1, RawPeer.HeaderBlock(Connect1))),
        ["other frame inside a header block"] = (Http2ErrorCode.ProtocolError, true, async p =>
        {
            var block = RawPeer.HeaderBlock(Connect1);
            await p.SendFrameAsync(FrameType.Headers, FrameFlags.None, 1, block.AsMemory(0, 2));
            await p.SendAsync(w => FrameWriter.WritePing(w, 1, ack: false));
        }),
        ["CONTINUATION on another stream"] = (Http2ErrorCode.ProtocolError, true, async p =>
        {
            var block = RawPeer.HeaderBlock(Connect1);
            await p.SendFrameAsync(FrameType.Headers, FrameFlags.None, 1, block.AsMemory(0, 2));
            await p.SendFrameAsync(FrameType.Continuation, FrameFlags.EndHeaders, 3, block.AsMemory(2));
        }),
        ["CONTINUATION flood"] = (Http2ErrorCode.ProtocolError, true, async p =>
        {
            await p.SendFrameAsync(FrameType.Headers, FrameFlags.None, 1, RawPeer.HeaderBlock(Connect1));
            for (var i = 0; i < 10; i++)
            {
                await p.SendFrameAsync(FrameType.Continuation, FrameFlags.None, 1, new byte[8192]);
            }
        }),
        ["frame larger than our maximum"] = (Http2ErrorCode.FrameSizeError, true, p => p.SendAsync(w =>
        {
            var header = w.GetSpan(FrameHeader.Size);
            new FrameHeader((1 << 20) + 1, FrameType.Data, FrameFlags.None, 1).Write(header);
            w.Advance(FrameHeader.Size);
        })),
        ["header list too large"] = (Http2ErrorCode.ProtocolError, true, p =>
            p.SendHeadersAsync(1, false, [.. Connect1, new("x-large", new string('a', 20 * 1024))])),
        ["undecodable HPACK"] = (Http2ErrorCode.CompressionError, true, p => p.SendFrameAsync(FrameType.Headers, FrameFlags.EndHeaders, 1, new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })),
        ["PUSH_PROMISE from a client"] = (Http2ErrorCode.ProtocolError, true, p => p.SendFrameAsync(FrameType.PushPromise, FrameFlags.EndHeaders, 1, new byte[] { 0, 0, 0, 2, 0x82 })),
        ["RST_STREAM on an idle stream"] = (Http2ErrorCode.ProtocolError, true, p => p.SendAsync(w => FrameWriter.WriteRstStream(w, 9, Http2ErrorCode.Cancel))),
        ["WINDOW_UPDATE of the wrong size"] = (Http2ErrorCode.FrameSizeError, true, p => p.SendFrameAsync(FrameType.WindowUpdate, FrameFlags.None, 0, new byte[3])),
        ["WINDOW_UPDATE of 0 on the connection"] = (Http2ErrorCode.ProtocolError, true, p => p.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 0, 0))),
        ["connection window beyond 2^31-1"] = (Http2ErrorCode.FlowControlError, true, p => p.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 0, int.MaxValue))),
        ["DATA beyond the connection window"] = (Http2ErrorCode.FlowControlError, true, async p =>
        {
            // The server's connection window is 16 MiB; its streams' 4 MiB: five streams overrun the first.
            for (var id = 1; id <= 9; id += 2)
            {
                await p.SendConnectAsync(id);
            }

            var chunk = new byte[1 << 20];
            for (var id = 1; id <= 9; id += 2)
            {
                for (var i = 0; i < 4; i++)
                {
                    await p.SendAsync(w => FrameWriter.WriteData(w, id, chunk, endStream: false));
                }
            }
        }),
    };

    [Theory]
    [MemberData(nameof(ServerCases))]
    public async Task Server_ends_only_the_offending_connection(string name)
    {
        var (code, handshake, act) = ServerMisbehaviour[name];
        var release = new TaskCompletionSource();
        await using var server = TestServer.Start(async s =>
        {
            if (s.RequestHeaders.Get(":authority") == "hold:1")
            {
                await s.RespondAsync(Echo.Ok, endStream: false);
                await release.Task; // the healthy connection's long-lived stream
                await Echo.CopyAsync(s, s);
                await s.CompleteWritesAsync();
                return;
            }

            await Echo.Handler(s);
        });

        // A healthy connection with a stream open across the other connection's failure.
        await using var healthy = await TestClient.ConnectAsync(server.EndPoint);
        var held = await healthy.Connection.OpenStreamAsync([new(":method", "CONNECT"), new(":authority", "hold:1")]);
        await held.ResponseHeaders.WaitAsync(Timeout);

        await using (var raw = await RawPeer.ConnectAsync(server.EndPoint))
        {
            if (handshake)
            {
                await raw.HandshakeAsClientAsync();
            }

            await act(raw);
            var goAway = await raw.ExpectGoAwayAndCloseAsync();
            Assert.Equal(code, goAway.ErrorCode);
        }

        var ended = Assert.IsType<Http2ConnectionException>(await server.NextEndedAsync());
        Assert.Equal(code, ended.ErrorCode);

        await healthy.EchoRoundTripAsync();
        release.SetResult();
        await held.WriteAsync("held"u8.ToArray());
        await held.CompleteWritesAsync();
        Assert.Equal("held"u8.ToArray(), await Echo.ReadAllAsync(held).WaitAsync(Timeout));
    }

    public static TheoryData<string> StreamCases => [.. StreamMisbehaviour.Keys];

    private static readonly Dictionary<string, (Http2ErrorCode Code, Func<RawPeer, Task> Act)> StreamMisbehaviour = new()
    {
        ["CONNECT without :authority"] = (Http2ErrorCode.ProtocolError, p => p.SendHeadersAsync(1, false, new HeaderField(":method", "CONNECT"))),
        ["CONNECT with :path"] = (Http2ErrorCode.ProtocolError, p => p.SendHeadersAsync(1, false, [.. Connect1, new(":path", "/")])),
        ["uppercase field name"] = (Http2ErrorCode.ProtocolError, p => p.SendHeadersAsync(1, false, [.. Connect1, new("X-Upper", "1")])),
        ["connection-specific field"] = (Http2ErrorCode.ProtocolError, p => p.SendHeadersAsync(1, false, [.. Connect1, new("connection", "close")])),
        ["pseudo-header after a regular field"] = (Http2ErrorCode.ProtocolError, p =>
            p.SendHeadersAsync(1, false, new HeaderField(":method", "CONNECT"), new HeaderField("x-a", "1"), new HeaderField(":authority", "a:1"))),
        ["WINDOW_UPDATE of 0 on a stream"] = (Http2ErrorCode.ProtocolError, async p =>
        {
            await p.SendConnectAsync(1);
            await p.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 1, 0));
        }),
        ["stream window beyond 2^31-1"] = (Http2ErrorCode.FlowControlError, async p =>
        {
            await p.SendConnectAsync(1);
            await p.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 1, int.MaxValue));
        }),
        ["DATA beyond the stream window"] = (Http2ErrorCode.FlowControlError, async p =>
        {
            await p.SendConnectAsync(1);
            var chunk = new byte[1 << 20];
            for (var i = 0; i < 5; i++)
            {
                await p.SendAsync(w => FrameWriter.WriteData(w, 1, chunk, endStream: false));
            }
        }),
        ["DATA after END_STREAM"] = (Http2ErrorCode.StreamClosed, async p =>
        {
            await p.SendConnectAsync(1);
            await p.SendAsync(w =>
            {
                FrameWriter.WriteData(w, 1, "a"u8, endStream: true);
                FrameWriter.WriteData(w, 1, "b"u8, endStream: false);
            });
        }),
        ["PRIORITY of the wrong size"] = (Http2ErrorCode.FrameSizeError, async p =>
        {
            await p.SendConnectAsync(1);
            await p.SendFrameAsync(FrameType.Priority, FrameFlags.None, 1, new byte[4]);
        }),
    };

    [Theory]
    [MemberData(nameof(StreamCases))]
    public async Task Stream_errors_reset_only_the_stream(string name)
    {
        var (code, act) = StreamMisbehaviour[name];
        var hold = new TaskCompletionSource();
        await using var server = TestServer.Start(async s =>
        {
            await s.RespondAsync(Echo.Ok, endStream: false);
            await hold.Task; // neither read nor answer: the protocol layer alone must react
        });
        await using var raw = await RawPeer.ConnectAsync(server.EndPoint);
        await raw.HandshakeAsClientAsync();
        await act(raw);
        var rst = await raw.ExpectAsync(FrameType.RstStream);
        Assert.Equal((1, code), (rst.StreamId, rst.ErrorCode));

        // The connection carries on.
        await raw.SendAsync(w => FrameWriter.WritePing(w, 5, ack: false));
        await raw.ExpectAsync(FrameType.Ping, f => f.Header.Has(FrameFlags.Ack));
        await raw.SendConnectAsync(3);
        await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 3);
        hold.SetResult();
    }

    [Theory]
    [InlineData("PUSH_PROMISE", Http2ErrorCode.ProtocolError)]
    [InlineData("server-initiated stream", Http2ErrorCode.ProtocolError)]
    [InlineData("undecodable HPACK", Http2ErrorCode.CompressionError)]
    [InlineData("DATA on an idle stream", Http2ErrorCode.ProtocolError)]
    public async Task Client_ends_the_connection_on_a_server_protocol_error(string name, Http2ErrorCode code)
    {
        var (clientSide, serverSide) = await Loopback.TcpPairAsync();
        await using var raw = new RawPeer(serverSide);
        await using var client = TestClient.Over(clientSide);
        await raw.HandshakeAsServerAsync();
        var stream = await client.Connection.OpenStreamAsync(Echo.Connect());
        await raw.ExpectAsync(FrameType.Headers);
        await (name switch
        {
            "PUSH_PROMISE" => raw.SendFrameAsync(FrameType.PushPromise, FrameFlags.EndHeaders, 1, new byte[] { 0, 0, 0, 2, 0x82 }),
            "server-initiated stream" => raw.SendHeadersAsync(2, false, Echo.Ok),
            "undecodable HPACK" => raw.SendFrameAsync(FrameType.Headers, FrameFlags.EndHeaders, 1, new byte[] { 0xbf }),
            _ => raw.SendFrameAsync(FrameType.Data, FrameFlags.None, 3, new byte[1]),
        });

        Assert.Equal(code, (await raw.ExpectGoAwayAndCloseAsync()).ErrorCode);
        var e = await Assert.ThrowsAsync<Http2ConnectionException>(() => client.Run.WaitAsync(Timeout));
        Assert.Equal(code, e.ErrorCode);
        var streamError = await Assert.ThrowsAsync<Http2ConnectionException>(() => stream.ResponseHeaders);
        Assert.Equal(code, streamError.ErrorCode);
    }

    /// <summary>Opens stream 1 with END_STREAM and waits for the echo server to end it too: closed both ways.</summary>
    private static async Task CompleteStreamOneAsync(RawPeer p)
    {
        await p.SendConnectAsync(1, endStream: true);
        await p.ExpectAsync(FrameType.Data, f => f.StreamId == 1 && f.Header.Has(FrameFlags.EndStream));
    }
}
