using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;
using Weft.Tunnel.Http2.Hpack;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>One frame as the raw peer received it.</summary>
internal sealed record Frame(FrameHeader Header, byte[] Payload)
{
    public FrameType Type => Header.Type;

    public int StreamId => Header.StreamId;

    /// <summary>The code of a RST_STREAM or GOAWAY.</summary>
    public Http2ErrorCode ErrorCode => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(Type == FrameType.GoAway ? 4 : 0));

    public int LastStreamId => (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7FFF_FFFF);

    public override string ToString() => $"{Type} stream {StreamId} flags {Header.Flags} length {Header.Length}";
}

/// <summary>
/// A hand-driven HTTP/2 endpoint speaking raw frames: it can send anything, including what a
/// correct peer never would, and shows exactly what our connection sends back.
/// </summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Stream stream;
    private readonly PipeReader reader;

    public RawPeer(Stream stream)
    {
        this.stream = stream;
        reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
    }

    public static async Task<RawPeer> ConnectAsync(IPEndPoint server) => new(await Loopback.ConnectAsync(server));

    public static byte[] HeaderBlock(params HeaderField[] fields)
    {
        var w = new ArrayBufferWriter<byte>();
        HpackEncoder.Encode(fields, w);
        return w.WrittenSpan.ToArray();
    }

    public async Task SendAsync(Action<IBufferWriter<byte>> build)
    {
        var w = new ArrayBufferWriter<byte>();
        build(w);
        await stream.WriteAsync(w.WrittenMemory);
        await stream.FlushAsync();
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes) => await stream.WriteAsync(bytes);

    public Task SendFrameAsync(FrameType type, FrameFlags flags, int streamId, ReadOnlyMemory<byte> payload) =>
        SendAsync(w => FrameWriter.WriteFrame(w, type, flags, streamId, payload.Span));

    public Task SendHeadersAsync(int streamId, bool endStream, params HeaderField[] fields) =>
        SendAsync(w => FrameWriter.WriteHeaders(w, streamId, HeaderBlock(fields), endStream, 16_384));

    public Task SendConnectAsync(int streamId, bool endStream = false) =>
        SendHeadersAsync(streamId, endStream, Echo.Connect());

    /// <summary>Preface and SETTINGS as a client; then reads the server's SETTINGS and acknowledges it.</summary>
    public async Task<Frame> HandshakeAsClientAsync(params Setting[] settings)
    {
        await SendAsync(w =>
        {
            w.Write(ConnectionPreface.Client);
            FrameWriter.WriteSettings(w, settings);
        });
        var serverSettings = await ExpectAsync(FrameType.Settings, f => !f.Header.Has(FrameFlags.Ack));
        await SendAsync(FrameWriter.WriteSettingsAck);
        return serverSettings;
    }

    /// <summary>Reads the client preface, sends SETTINGS as a server and acknowledges the client's.</summary>
    public async Task HandshakeAsServerAsync(params Setting[] settings)
    {
        var preface = await ReadExactlyAsync(ConnectionPreface.Length);
        Assert.True(preface.AsSpan().SequenceEqual(ConnectionPreface.Client), "bad client preface");
        await SendAsync(w => FrameWriter.WriteSettings(w, settings));
        await ExpectAsync(FrameType.Settings, f => !f.Header.Has(FrameFlags.Ack));
        await SendAsync(FrameWriter.WriteSettingsAck);
    }

    /// <summary>The next frame; null when the connection closed.</summary>
    public async Task<Frame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no frame in time");
            }
            catch (IOException)
            {
                return null;
            }

            var buffer = result.Buffer;
            if (FrameReader.TryRead(ref buffer, FrameHeader.MaxMaxFrameSize, out var header, out var payload))
            {
                var frame = new Frame(header, payload.ToArray());
                reader.AdvanceTo(buffer.Start);
                return frame;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Reads frames until one of <paramref name="type"/> (matching, if given) arrives; the others are skipped.</summary>
    public async Task<Frame> ExpectAsync(FrameType type, Func<Frame, bool>? match = null, TimeSpan? timeout = null)
    {
        var seen = new List<string>();
        while (true)
        {
            var frame = await ReadFrameAsync(timeout) ?? throw new IOException($"closed while waiting for {type}; saw {string.Join(", ", seen)}");
            if (frame.Type == type && (match is null || match(frame)))
            {
                return frame;
            }

            seen.Add(frame.ToString());
        }
    }

    /// <summary>The connection's GOAWAY, then its close: what a protocol error must look like.</summary>
    public async Task<Frame> ExpectGoAwayAndCloseAsync()
    {
        var goAway = await ExpectAsync(FrameType.GoAway);
        await ExpectClosedAsync();
        CloseWrites(); // as a polite peer does on GOAWAY, so the other end need not linger
        return goAway;
    }

    /// <summary>Half-closes: the other end reads EOF.</summary>
    public void CloseWrites() => (stream as System.Net.Sockets.NetworkStream)?.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

    public async Task ExpectClosedAsync(TimeSpan? timeout = null)
    {
        while (await ReadFrameAsync(timeout) is not null)
        {
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        var bytes = new byte[count];
        await stream.ReadExactlyAsync(bytes).AsTask().WaitAsync(DefaultTimeout);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await reader.CompleteAsync();
        await stream.DisposeAsync();
    }
}
