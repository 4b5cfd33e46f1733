using System.Buffers;
using System.Buffers.Binary;

namespace Weft.Tunnel.Http2.Frames;

/// <summary>Serialises frames (RFC 9113 §6) into a buffer; sizes are the caller's to respect.</summary>
internal static class FrameWriter
{
    /// <summary>Any frame, payload as given; also how tests write deliberately broken frames.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, FrameType type, FrameFlags flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var span = output.GetSpan(FrameHeader.Size + payload.Length);
        new FrameHeader(payload.Length, type, flags, streamId).Write(span);
        payload.CopyTo(span[FrameHeader.Size..]);
        output.Advance(FrameHeader.Size + payload.Length);
    }

    /// <summary>A DATA frame, optionally padded (<paramref name="padLength"/> zero octets after the data).</summary>
    public static void WriteData(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> data, bool endStream, int padLength = -1)
    {
        var flags = endStream ? FrameFlags.EndStream : FrameFlags.None;
        var padded = padLength >= 0;
        var length = data.Length + (padded ? 1 + padLength : 0);
        var span = output.GetSpan(FrameHeader.Size + length);
        new FrameHeader(length, FrameType.Data, padded ? flags | FrameFlags.Padded : flags, streamId).Write(span);
        var body = span[FrameHeader.Size..];
        if (padded)
        {
            body[0] = (byte)padLength;
            body = body[1..];
        }

        data.CopyTo(body);
        if (padded)
        {
            body.Slice(data.Length, padLength).Clear();
        }

        output.Advance(FrameHeader.Size + length);
    }

    /// <summary>A header block as HEADERS plus as many CONTINUATION frames as <paramref name="maxFrameSize"/> requires.</summary>
    public static void WriteHeaders(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> block, bool endStream, int maxFrameSize)
    {
        var type = FrameType.Headers;
        var flags = endStream ? FrameFlags.EndStream : FrameFlags.None;
        do
        {
            var n = Math.Min(block.Length, maxFrameSize);
            var last = n == block.Length;
            WriteFrame(output, type, last ? flags | FrameFlags.EndHeaders : flags, streamId, block[..n]);
            block = block[n..];
            type = FrameType.Continuation;
            flags = FrameFlags.None;
        }
        while (!block.IsEmpty);
    }

    public static void WriteRstStream(IBufferWriter<byte> output, int streamId, Http2ErrorCode code)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)code);
        WriteFrame(output, FrameType.RstStream, FrameFlags.None, streamId, payload);
    }

    public static void WriteSettings(IBufferWriter<byte> output, ReadOnlySpan<Setting> settings)
    {
        var span = output.GetSpan(FrameHeader.Size + (settings.Length * 6));
        new FrameHeader(settings.Length * 6, FrameType.Settings, FrameFlags.None, 0).Write(span);
        var body = span[FrameHeader.Size..];
        foreach (var s in settings)
        {
            BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)s.Id);
            BinaryPrimitives.WriteUInt32BigEndian(body[2..], s.Value);
            body = body[6..];
        }

        output.Advance(FrameHeader.Size + (settings.Length * 6));
    }

    public static void WriteSettingsAck(IBufferWriter<byte> output) =>
        WriteFrame(output, FrameType.Settings, FrameFlags.Ack, 0, []);

    public static void WritePing(IBufferWriter<byte> output, ulong opaque, bool ack)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(payload, opaque);
        WriteFrame(output, FrameType.Ping, ack ? FrameFlags.Ack : FrameFlags.None, 0, payload);
    }

    public static void WriteGoAway(IBufferWriter<byte> output, int lastStreamId, Http2ErrorCode code, ReadOnlySpan<byte> debugData)
    {
        var span = output.GetSpan(FrameHeader.Size + 8 + debugData.Length);
        new FrameHeader(8 + debugData.Length, FrameType.GoAway, FrameFlags.None, 0).Write(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[9..], (uint)lastStreamId & 0x7FFF_FFFF);
        BinaryPrimitives.WriteUInt32BigEndian(span[13..], (uint)code);
        debugData.CopyTo(span[17..]);
        output.Advance(FrameHeader.Size + 8 + debugData.Length);
    }

    public static void WriteWindowUpdate(IBufferWriter<byte> output, int streamId, int increment)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)increment & 0x7FFF_FFFF);
        WriteFrame(output, FrameType.WindowUpdate, FrameFlags.None, streamId, payload);
    }

    public static void WritePriority(IBufferWriter<byte> output, int streamId, int dependency, byte weight)
    {
        Span<byte> payload = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)dependency & 0x7FFF_FFFF);
        payload[4] = weight;
        WriteFrame(output, FrameType.Priority, FrameFlags.None, streamId, payload);
    }
}
