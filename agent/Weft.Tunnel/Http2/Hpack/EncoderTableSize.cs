using System.Buffers;

namespace Weft.Tunnel.Http2.Hpack;

/// <summary>
/// The dynamic table size the peer's decoder assumes our encoder uses. Our encoder keeps no
/// table, but the peer's decoder starts at 4096 (RFC 7541 §4.2); when the peer's
/// SETTINGS_HEADER_TABLE_SIZE goes below that, RFC 9113 §4.3.1 requires a dynamic table size
/// update at the start of our next header block (nghttp2 fails the block with COMPRESSION_ERROR
/// without one). We signal 0, the size we really use, so no later lowering needs another.
/// Not thread-safe: the connection's lock guards it.
/// </summary>
internal sealed class EncoderTableSize
{
    private const int InitialSize = 4096;

    private long assumed = InitialSize;
    private bool updateDue;

    /// <summary>What the decoder currently assumes (for tests).</summary>
    public long Assumed => assumed;

    /// <summary>The peer's SETTINGS_HEADER_TABLE_SIZE; applies to header blocks queued after its ACK.</summary>
    public void OnPeerSetting(uint maximum)
    {
        if (maximum < assumed)
        {
            updateDue = true;
        }
    }

    /// <summary>At the start of a header block: the size update, if one is due.</summary>
    public void WriteUpdateIfDue(IBufferWriter<byte> output)
    {
        if (!updateDue)
        {
            return;
        }

        // 001xxxxx: dynamic table size update, 5-bit prefix.
        var span = output.GetSpan(1);
        output.Advance(HpackInteger.Encode(0, 5, 0x20, span));
        assumed = 0;
        updateDue = false;
    }
}
