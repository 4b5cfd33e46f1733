using System.Buffers;
using Weft.Tunnel.Http2;
using Weft.Tunnel.Http2.Frames;

namespace Weft.Tunnel.Tests.Frames;

/// <summary>Every frame type written by <see cref="FrameWriter"/> and read back by <see cref="FrameReader"/>.</summary>
public class FrameRoundTripTests
{
    [Theory]
    [InlineData(false, -1)]
    [InlineData(true, -1)]
    [InlineData(false, 0)]
    [InlineData(true, 17)]
    public void Data_with_and_without_padding(bool endStream, int padLength)
    {
        var data = new byte[1000];
        new Random(1).NextBytes(data);
        var frame = ReadOne(w => FrameWriter.WriteData(w, 5, data, endStream, padLength), out var payload);
        Assert.Equal(FrameType.Data, frame.Type);
        Assert.Equal(5, frame.StreamId);
        Assert.Equal(endStream, frame.Has(FrameFlags.EndStream));
        Assert.Equal(padLength >= 0, frame.Has(FrameFlags.Padded));
        var content = FrameReader.Content(frame, payload, out var overhead);
        Assert.Equal(data, content.ToArray());
        Assert.Equal(padLength >= 0 ? padLength + 1 : 0, overhead);
    }

    [Fact]
    public void Headers_split_into_continuation_frames_at_the_frame_size()
    {
        var block = new byte[40_000];
        new Random(2).NextBytes(block);
        var w = new ArrayBufferWriter<byte>();
        FrameWriter.WriteHeaders(w, 3, block, endStream: true, maxFrameSize: 16_384);
        var buffer = new ReadOnlySequence<byte>(w.WrittenMemory);
        var frames = new List<(FrameHeader Header, byte[] Payload)>();
        while (FrameReader.TryRead(ref buffer, 16_384, out var h, out var p))
        {
            frames.Add((h, p.ToArray()));
        }

        Assert.Equal([FrameType.Headers, FrameType.Continuation, FrameType.Continuation], frames.Select(f => f.Header.Type));
        Assert.Equal(FrameFlags.EndStream, frames[0].Header.Flags);
        Assert.Equal(FrameFlags.None, frames[1].Header.Flags);
        Assert.Equal(FrameFlags.EndHeaders, frames[2].Header.Flags);
        Assert.All(frames, f => Assert.Equal(3, f.Header.StreamId));
        Assert.Equal(block, frames.SelectMany(f => f.Payload).ToArray());
    }

    [Fact]
    public void Headers_with_priority_and_padding_yield_only_the_block()
    {
        var payload = new byte[] { 2, 0x80, 0, 0, 1, 16, 0x82, 0x84, 0, 0 }; // pad 2, E + dependency 1, weight 16, block 82 84
        var frame = ReadOne(w => FrameWriter.WriteFrame(w, FrameType.Headers, FrameFlags.Padded | FrameFlags.Priority | FrameFlags.EndHeaders, 1, payload), out var p);
        Assert.Equal([0x82, 0x84], FrameReader.Content(frame, p, out var overhead).ToArray());
        Assert.Equal(8, overhead);
    }

    [Fact]
    public void Padding_longer_than_the_payload_is_a_protocol_error()
    {
        var frame = ReadOne(w => FrameWriter.WriteFrame(w, FrameType.Data, FrameFlags.Padded, 1, [10, 1, 2]), out var p);
        var e = Assert.Throws<Http2ConnectionException>(() => FrameReader.Content(frame, p, out _));
        Assert.Equal(Http2ErrorCode.ProtocolError, e.ErrorCode);
    }

    [Fact]
    public void Control_frames_round_trip()
    {
        var w = new ArrayBufferWriter<byte>();
        FrameWriter.WriteRstStream(w, 7, Http2ErrorCode.Cancel);
        FrameWriter.WriteSettings(w, [new(SettingId.InitialWindowSize, 1 << 22), new(SettingId.MaxFrameSize, 1 << 20)]);
        FrameWriter.WriteSettingsAck(w);
        FrameWriter.WritePing(w, 0x0102030405060708, ack: false);
        FrameWriter.WritePing(w, 42, ack: true);
        FrameWriter.WriteGoAway(w, 9, Http2ErrorCode.EnhanceYourCalm, "calm down"u8);
        FrameWriter.WriteWindowUpdate(w, 0, int.MaxValue);
        FrameWriter.WritePriority(w, 3, 1, 255);
        var buffer = new ReadOnlySequence<byte>(w.WrittenMemory);

        Assert.True(FrameReader.TryRead(ref buffer, 16_384, out var h, out var p));
        Assert.Equal((FrameType.RstStream, 7, 4), (h.Type, h.StreamId, h.Length));
        Assert.Equal((uint)Http2ErrorCode.Cancel, FrameReader.ReadUInt32(p));

        Assert.True(FrameReader.TryRead(ref buffer, 16_384, out h, out p));
        Assert.Equal((FrameType.Settings, FrameFlags.None, 12), (h.Type, h.Flags, h.Length));
        Assert.Equal(new Setting(SettingId.InitialWindowSize, 1 << 22), FrameReader.ReadSetting(p, 0));
        Assert.Equal(new Setting(SettingId.MaxFrameSize, 1 << 20), FrameReader.ReadSetting(p, 1));

        Assert.True(FrameReader.TryRead(ref buffer, 16_384, out h, out _));
        Assert.Equal((FrameType.Settings, FrameFlags.Ack, 0), (h.Type, h.Flags, h.Length));

        Assert.True(FrameReader.TryRead(ref buffer, 16_384, out h, out p));
        Assert.Equal((FrameType.Ping, FrameFlags.None, 0x0102030405060708UL), (h.Type, h.Flags, FrameReader.ReadUInt64(p)));
        Assert.True(FrameReader.TryRead(ref buffer, 16_384, out h, out p));
        Assert.Equal((FrameType.Ping, FrameFlags.Ack, 42UL), (h.Type, h.Flags, FrameReader.ReadUInt64(p)));

        Assert.True(FrameReader.TryRead(ref buffer, 16_384, out h, out p));
        Assert.Equal(FrameType.GoAway, h.Type);
        Assert.Equal((9, Http2ErrorCode.EnhanceYourCalm), FrameReader.ReadGoAway(p));
        Assert.Equal("calm down"u8.ToArray(), p.Slice(8).ToArray());

        Assert.True(FrameReader.TryRead(ref buffer, 16_384, out h, out p));
        Assert.Equal((FrameType.WindowUpdate, 0, (uint)int.MaxValue), (h.Type, h.StreamId, FrameReader.ReadUInt32(p)));

        Assert.True(FrameReader.TryRead(ref buffer, 16_384, out h, out p));
        Assert.Equal((FrameType.Priority, 3, 5), (h.Type, h.StreamId, h.Length));

        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Partial_frames_wait_and_oversized_frames_are_frame_size_errors()
    {
        var w = new ArrayBufferWriter<byte>();
        FrameWriter.WriteData(w, 1, new byte[20_000], endStream: false);
        var all = w.WrittenMemory;
        for (var cut = 0; cut < all.Length; cut += 997)
        {
            var partial = new ReadOnlySequence<byte>(all[..cut]);
            Assert.False(FrameReader.TryRead(ref partial, 32_768, out _, out _));
        }

        var whole = new ReadOnlySequence<byte>(all);
        var e = Assert.Throws<Http2ConnectionException>(() => FrameReader.TryRead(ref whole, 16_384, out _, out _));
        Assert.Equal(Http2ErrorCode.FrameSizeError, e.ErrorCode);
    }

    [Fact]
    public void Reserved_stream_id_bit_is_ignored_and_frames_split_across_segments_read_whole()
    {
        var raw = new byte[] { 0, 0, 2, 0, 1, 0x80, 0, 0, 3, 0xAA, 0xBB };
        var header = FrameHeader.Read(raw);
        Assert.Equal(3, header.StreamId);

        // The same frame in three segments, as a PipeReader may hand it over.
        var first = new Segment(raw[..4]);
        var last = first.Append(raw[4..10]).Append(raw[10..]);
        var buffer = new ReadOnlySequence<byte>(first, 0, last, 1);
        Assert.True(FrameReader.TryRead(ref buffer, 16_384, out var h, out var p));
        Assert.Equal((FrameType.Data, 2), (h.Type, h.Length));
        Assert.Equal([0xAA, 0xBB], p.ToArray());
    }

    private static FrameHeader ReadOne(Action<IBufferWriter<byte>> write, out ReadOnlySequence<byte> payload)
    {
        var w = new ArrayBufferWriter<byte>();
        write(w);
        var buffer = new ReadOnlySequence<byte>(w.WrittenMemory.ToArray());
        Assert.True(FrameReader.TryRead(ref buffer, FrameHeader.MaxMaxFrameSize, out var header, out payload));
        Assert.True(buffer.IsEmpty);
        return header;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data) => Memory = data;

        public Segment Append(byte[] data)
        {
            var next = new Segment(data) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
