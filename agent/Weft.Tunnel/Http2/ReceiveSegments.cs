using System.Buffers;

namespace Weft.Tunnel.Http2;

/// <summary>
/// Where receive buffers get their segments. Not ArrayPool.Shared: it keeps at most 32 arrays
/// of a size per core, and one stream's buffer swings by a window update's worth (1 MiB of a
/// 4 MiB window) as its reader catches up, so the shared pool would drop arrays on one side and
/// allocate on the other, per chunk. This pool is thread-agnostic and keeps up to one connection
/// window of large segments (16 MiB) plus 1 MiB of small ones, process-wide.
/// </summary>
internal static class ReceiveSegments
{
    public const int Small = 4 * 1024;
    public const int Large = 64 * 1024;

    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(Large, maxArraysPerBucket: 256);

    /// <summary>A small segment while little is buffered, large ones once data accumulates.</summary>
    public static byte[] Rent(int bufferedAfter) => Pool.Rent(bufferedAfter <= Small ? Small : Large);

    public static void Return(byte[] segment) => Pool.Return(segment);
}
