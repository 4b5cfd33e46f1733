using System.Buffers;
using System.Buffers.Binary;

namespace Weft.Tunnel.Http2.Frames;

/// <summary>
/// Takes whole frames off the front of received bytes and reads the fixed-layout payloads.
/// Throws <see cref="Http2ConnectionException"/> for a frame that breaks the framing rules.
/// </summary>
internal static class FrameReader
{
    /// <summary>The next frame, if all of it has arrived; the payload slices <paramref name="buffer"/> (no copy).</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out FrameHeader header, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        header = default;
        if (buffer.Length < FrameHeader.Size)
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[FrameHeader.Size];
        buffer.Slice(0, FrameHeader.Size).CopyTo(raw);
        header = FrameHeader.Read(raw);
        if (header.Length > maxFrameSize)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, $"{header.Type} frame of {header.Length} octets exceeds our maximum of {maxFrameSize}");
        }

        if (buffer.Length < FrameHeader.Size + header.Length)
        {
            return false;
        }

        payload = buffer.Slice(FrameHeader.Size, header.Length);
        buffer = buffer.Slice(FrameHeader.Size + header.Length);
        return true;
    }

    /// <summary>
    /// The content of a DATA or HEADERS payload: without the pad length octet and padding, and
    /// for HEADERS without the priority fields. <paramref name="overhead"/> is what was removed.
    /// </summary>
    public static ReadOnlySequence<byte> Content(in FrameHeader header, in ReadOnlySequence<byte> payload, out int overhead)
    {
        var content = payload;
        var padLength = 0;
        var skip = 0;
        if (header.Has(FrameFlags.Padded))
        {
            if (content.Length < 1)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, $"padded {header.Type} frame without a pad length");
            }

            padLength = content.FirstSpan[0];
            skip = 1;
        }

        if (header.Type == FrameType.Headers && header.Has(FrameFlags.Priority))
        {
            skip += 5;
        }

        if (skip + padLength > content.Length)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"{header.Type} frame padding exceeds its payload");
        }

        overhead = skip + padLength;
        return content.Slice(skip, content.Length - skip - padLength);
    }

    public static uint ReadUInt32(in ReadOnlySequence<byte> payload, int offset = 0)
    {
        Span<byte> raw = stackalloc byte[4];
        payload.Slice(offset, 4).CopyTo(raw);
        return BinaryPrimitives.ReadUInt32BigEndian(raw);
    }

    public static ulong ReadUInt64(in ReadOnlySequence<byte> payload)
    {
        Span<byte> raw = stackalloc byte[8];
        payload.Slice(0, 8).CopyTo(raw);
        return BinaryPrimitives.ReadUInt64BigEndian(raw);
    }

    /// <summary>The i-th parameter of a SETTINGS payload (its length is a multiple of 6).</summary>
    public static Setting ReadSetting(in ReadOnlySequence<byte> payload, int index)
    {
        Span<byte> raw = stackalloc byte[6];
        payload.Slice(index * 6, 6).CopyTo(raw);
        return new Setting((SettingId)BinaryPrimitives.ReadUInt16BigEndian(raw), BinaryPrimitives.ReadUInt32BigEndian(raw[2..]));
    }

    /// <summary>Last stream id and error code of a GOAWAY payload (at least 8 octets).</summary>
    public static (int LastStreamId, Http2ErrorCode Code) ReadGoAway(in ReadOnlySequence<byte> payload) =>
        ((int)(ReadUInt32(payload) & 0x7FFF_FFFF), (Http2ErrorCode)ReadUInt32(payload, 4));
}
