namespace Weft.Lab.Probe;

/// <summary>The server's reply bytes: byte i = (i*31+7) % 251, so any shift or loss shows.</summary>
internal static class ReplyPattern
{
    private const int Period = 251;

    /// <summary>Chunk size for sending and checking: whole periods, about 64 KiB.</summary>
    public const int ChunkSize = Period * 256;

    // One chunk plus one period, so a slice of ChunkSize may start at any phase.
    private static readonly byte[] Pattern = Build(ChunkSize + Period);

    /// <summary>The expected bytes at stream offset <paramref name="offset"/>; length at most <see cref="ChunkSize"/>.</summary>
    public static ReadOnlyMemory<byte> At(long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ChunkSize);
        return Pattern.AsMemory((int)(offset % Period), length);
    }

    public static bool Matches(ReadOnlySpan<byte> data, long offset) => data.SequenceEqual(At(offset, data.Length).Span);

    private static byte[] Build(int length)
    {
        var b = new byte[length];
        for (var i = 0; i < length; i++)
        {
            b[i] = (byte)(((i * 31) + 7) % Period);
        }

        return b;
    }
}
