using System.Buffers;

namespace Weft.Tunnel.Http2.Frames;

/// <summary>
/// A growable buffer of frames on a pooled array: the connection serialises frames into one,
/// then writes them to the transport in one call. Reused, so steady traffic rents nothing new.
/// Not thread-safe: the connection's lock guards it.
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    private const int InitialSize = 16 * 1024;

    // Past this the array goes back to the pool after a write, so one burst of large frames
    // does not pin a large array for the life of the connection.
    private const int KeepSize = 256 * 1024;

    private byte[] array = [];
    private int written;

    public int WrittenCount => written;

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

    /// <summary>Forgets the content; keeps the array unless it grew large.</summary>
    public void Clear()
    {
        written = 0;
        if (array.Length > KeepSize)
        {
            ArrayPool<byte>.Shared.Return(array);
            array = [];
        }
    }

    public void Dispose()
    {
        written = 0;
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
            array = [];
        }
    }

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
