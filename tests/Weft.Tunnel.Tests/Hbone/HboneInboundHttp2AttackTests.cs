using System.Net.Security;
using Weft.Tunnel.Hbone;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Http2.Hpack;
using Weft.Tunnel.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Weft.Tunnel.Tests.Hbone;

/// <summary>
/// Peers that pass mutual TLS (a valid mesh certificate) and then misbehave in HTTP/2, written
/// frame by frame over the TLS stream. Each loses its own connection (GOAWAY with the right
/// code, counted as a ProtocolError refusal) or stream, and a healthy tunnel on the same server
/// keeps working.
/// </summary>
public sealed class HboneInboundHttp2AttackTests(ITestOutputHelper output) : IDisposable
{
    private static readonly HeaderField[] Connect = Echo.Connect(InboundServer.Authority(8080));
    private readonly TestMeshCa ca = new();

    public void Dispose() => ca.Dispose();

    public static TheoryData<string> ConnectionCases => [.. ConnectionAttacks.Keys];

    private static readonly Dictionary<string, (Http2ErrorCode Code, bool Handshake, Func<RawPeer, SslStream, Task> Act)> ConnectionAttacks = new()
    {
        ["garbage instead of the preface"] = (Http2ErrorCode.ProtocolError, false, (p, _) => p.SendRawAsync("GET / HTTP/1.1\r\nHost: backend\r\n\r\n"u8.ToArray())),
        ["truncated preface, then close"] = (Http2ErrorCode.ProtocolError, false, async (p, ssl) =>
        {
            await p.SendRawAsync(ConnectionPreface.Client[..10].ToArray());
            await ssl.ShutdownAsync();
        }),
        ["HEADERS beyond MaxHeaderListSize"] = (Http2ErrorCode.ProtocolError, true, (p, _) =>
            p.SendHeadersAsync(1, false, [.. Connect, new("x-large", new string('a', 20 * 1024))])),
        ["HEADERS that are not HPACK"] = (Http2ErrorCode.CompressionError, true, (p, _) =>
            p.SendFrameAsync(FrameType.Headers, FrameFlags.EndHeaders, 1, new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })),
        ["connection window pushed past 2^31-1"] = (Http2ErrorCode.FlowControlError, true, (p, _) =>
            p.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 0, int.MaxValue))),
    };

    [Theory]
    [MemberData(nameof(ConnectionCases))]
    public async Task A_protocol_error_ends_that_connection_only(string name)
    {
        var (code, handshake, act) = ConnectionAttacks[name];
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));
        await using var healthy = await HealthyTunnel.OpenAsync(server);

        var (ssl, _) = await InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "attacker")) });
        await using (var raw = new RawPeer(ssl))
        {
            if (handshake)
            {
                await raw.HandshakeAsClientAsync();
            }

            await act(raw, ssl);
            Assert.Equal(code, (await raw.ExpectAsync(FrameType.GoAway)).ErrorCode);
            if (name != "truncated preface, then close")
            {
                await ssl.ShutdownAsync(); // as a polite peer does, so the server need not linger
            }

            await raw.ExpectClosedAsync();
        }

        await server.WaitForRefusalAsync(nameof(HboneFailure.ProtocolError));
        Assert.Equal(code.ToString(), Assert.Single(server.Log.Events(5104)).Value("ErrorCode"));
        await healthy.AssertStillWorksAsync();
        Assert.Equal(2, server.HandshakeCount("ok")); // the attacker had a valid certificate
        Assert.Equal(1, server.RefusalCount(nameof(HboneFailure.ProtocolError)));
    }

    [Fact]
    public async Task A_stream_window_pushed_past_2_31_resets_that_stream_only()
    {
        await using var server = new InboundServer(ca, output: TestLog.To(output, "inbound"));
        var (ssl, _) = await InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "attacker")) });
        await using var raw = new RawPeer(ssl);
        await raw.HandshakeAsClientAsync();
        await raw.SendHeadersAsync(1, false, Connect);
        Assert.Equal("200", Status(await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 1)));

        await raw.SendAsync(w => FrameWriter.WriteWindowUpdate(w, 1, int.MaxValue));
        var rst = await raw.ExpectAsync(FrameType.RstStream, f => f.StreamId == 1);
        Assert.Equal(Http2ErrorCode.FlowControlError, rst.ErrorCode);

        // The same connection opens and uses another stream.
        await raw.SendHeadersAsync(3, false, Connect);
        Assert.Equal("200", Status(await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == 3)));
        await raw.SendAsync(w => FrameWriter.WriteData(w, 3, "ok"u8, endStream: true));
        var echoed = await raw.ExpectAsync(FrameType.Data, f => f.StreamId == 3 && f.Header.Length > 0);
        Assert.Equal("ok"u8.ToArray(), echoed.Payload);
        Assert.Equal(new Dictionary<string, long> { ["StreamRejected"] = 1 }, server.Metrics.By(InboundServer.Refusals, "reason"));
    }

    [Fact]
    public async Task A_flood_of_streams_beyond_the_limit_is_refused_and_the_established_ones_carry_on()
    {
        const int limit = 3;
        var options = new HboneOptions { Http2 = new Http2Options { MaxConcurrentStreams = limit } };
        await using var server = new InboundServer(ca, options: options, output: TestLog.To(output, "inbound"));
        await using var healthy = await HealthyTunnel.OpenAsync(server);
        var (ssl, _) = await InboundClient.TlsAsync(server, new ClientTls { Certificate = ca.Issue(ca.Id("shop", "attacker")) });
        await using var raw = new RawPeer(ssl);
        var settings = await raw.HandshakeAsClientAsync();
        Assert.Contains(Enumerable.Range(0, settings.Payload.Length / 6).Select(i => FrameReader.ReadSetting(new(settings.Payload), i)),
            s => s.Id == SettingId.MaxConcurrentStreams && s.Value == limit);

        // Ignoring the advertised limit: three streams open, the next ten are refused.
        for (var id = 1; id <= 2 * limit - 1; id += 2)
        {
            await raw.SendHeadersAsync(id, false, Connect);
            Assert.Equal("200", Status(await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == id)));
        }

        for (var id = 2 * limit + 1; id < 2 * limit + 20; id += 2)
        {
            await raw.SendHeadersAsync(id, false, Connect);
            var refused = await raw.ExpectAsync(FrameType.RstStream, f => f.StreamId == id);
            Assert.Equal(Http2ErrorCode.RefusedStream, refused.ErrorCode);
        }

        // The established streams still echo; once one ends, a new stream is taken again.
        for (var id = 1; id <= 2 * limit - 1; id += 2)
        {
            var text = $"stream {id}";
            await raw.SendAsync(w => FrameWriter.WriteData(w, id, System.Text.Encoding.ASCII.GetBytes(text), endStream: id == 1));
            var echoed = await raw.ExpectAsync(FrameType.Data, f => f.StreamId == id && f.Header.Length > 0);
            Assert.Equal(text, System.Text.Encoding.ASCII.GetString(echoed.Payload));
            if (id == 1 && !echoed.Header.Has(FrameFlags.EndStream))
            {
                await raw.ExpectAsync(FrameType.Data, f => f.StreamId == 1 && f.Header.Has(FrameFlags.EndStream));
            }
        }

        var next = 2 * limit + 21;
        await raw.SendHeadersAsync(next, false, Connect);
        Assert.Equal("200", Status(await raw.ExpectAsync(FrameType.Headers, f => f.StreamId == next)));

        await healthy.AssertStillWorksAsync();

        // Each refused stream is counted.
        Assert.Equal(new Dictionary<string, long> { ["StreamRejected"] = 10 }, server.Metrics.By(InboundServer.Refusals, "reason"));
    }

    /// <summary>The :status of a response HEADERS frame (our encoder keeps no dynamic table: any decoder reads it).</summary>
    private static string? Status(Frame headers)
    {
        var fields = new List<HeaderField>();
        new HpackDecoder().Decode(headers.Payload, fields);
        return fields.Get(":status");
    }
}
