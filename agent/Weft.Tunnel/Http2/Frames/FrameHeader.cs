using System.Buffers.Binary;

namespace Weft.Tunnel.Http2.Frames;

/// <summary>The 9-octet frame header: 24-bit length, type, flags, 31-bit stream id.</summary>
internal readonly record struct FrameHeader(int Length, FrameType Type, FrameFlags Flags, int StreamId)
{
    public const int Size = 9;

    /// <summary>The protocol's floor and ceiling for SETTINGS_MAX_FRAME_SIZE.</summary>
    public const int MinMaxFrameSize = 16_384;
    public const int MaxMaxFrameSize = 16_777_215;

    public bool Has(FrameFlags flag) => (Flags & flag) != 0;

    public static FrameHeader Read(ReadOnlySpan<byte> src) => new(
        (src[0] << 16) | (src[1] << 8) | src[2],
        (FrameType)src[3],
        (FrameFlags)src[4],
        (int)(BinaryPrimitives.ReadUInt32BigEndian(src[5..]) & 0x7FFF_FFFF)); // the reserved bit is ignored

    public void Write(Span<byte> dest)
    {
        dest[0] = (byte)(Length >> 16);
        dest[1] = (byte)(Length >> 8);
        dest[2] = (byte)Length;
        dest[3] = (byte)Type;
        dest[4] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(dest[5..], (uint)StreamId & 0x7FFF_FFFF);
    }
}
