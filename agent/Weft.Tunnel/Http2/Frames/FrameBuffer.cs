using System.Buffers;

namespace Weft.Tunnel.Http2.Frames;

/// <summary>
/// A growable buffer of frames on a pooled array: the connection serialises frames into one,
/// then writes them to the transport in one call. The array goes back to the pool whenever the
/// buffer is cleared, so an idle connection holds none (a pooled HBONE connection is mostly
/// idle), and busy ones take it from the pool's per-thread cache again.
/// Not thread-safe: the connection's lock guards it.
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 16 * 1024;

    private byte[] array = [];
    private int written;

    public int WrittenCount => written;

    /// <summary>Bytes of pooled array held (0 once cleared).</summary>
    public int Capacity => array.Length;

    public ReadOnlyMemory<byte> WrittenMemory => array.AsMemory(0, written);

    public ReadOnlySpan<byte> WrittenSpan => array.AsSpan(0, written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, array.Length - written);
        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsSpan(written);
    }

    /// <summary>Forgets the content and returns the array to the pool.</summary>
    public void Clear()
    {
        written = 0;
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
            array = [];
        }
    }

    public void Dispose() => Clear();

    private void Ensure(int sizeHint)
    {
        var need = Math.Max(sizeHint, 1);
        if (array.Length - written >= need)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(InitialSize, Math.Max(array.Length * 2, written + need)));
        array.AsSpan(0, written).CopyTo(bigger);
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        array = bigger;
    }
}
