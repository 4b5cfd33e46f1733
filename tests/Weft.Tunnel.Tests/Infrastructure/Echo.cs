using System.Buffers;
using System.Security.Cryptography;
using Weft.Tunnel.Http2;

namespace Weft.Tunnel.Tests.Infrastructure;

/// <summary>Stream handlers and data helpers shared by the connection tests.</summary>
internal static class Echo
{
    public static readonly HeaderField[] Ok = [new(":status", "200")];

    public static HeaderField[] Connect(string authority = "10.0.0.7:8080") =>
        [new(":method", "CONNECT"), new(":authority", authority)];

    /// <summary>Accepts a CONNECT and echoes everything until the client half-closes.</summary>
    public static async Task Handler(Http2Stream stream)
    {
        await stream.RespondAsync(Ok, endStream: false);
        await CopyAsync(stream, stream);
        await stream.CompleteWritesAsync();
    }

    public static async Task CopyAsync(Http2Stream from, Http2Stream to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes <paramref name="total"/> deterministic pseudo-random octets in chunks; returns their SHA-256.</summary>
    public static async Task<byte[]> SendAsync(Http2Stream stream, long total, int seed, int chunk = 64 * 1024, bool complete = true)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[chunk];
        var random = new Random(seed);
        for (long sent = 0; sent < total;)
        {
            var n = (int)Math.Min(chunk, total - sent);
            random.NextBytes(buffer.AsSpan(0, n));
            hash.AppendData(buffer.AsSpan(0, n));
            await stream.WriteAsync(buffer.AsMemory(0, n));
            sent += n;
        }

        if (complete)
        {
            await stream.CompleteWritesAsync();
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Reads to the end; returns the octet count and SHA-256.</summary>
    public static async Task<(long Count, byte[] Sha256)> ReceiveAsync(Http2Stream stream, int chunk = 64 * 1024)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[chunk];
        long count = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, n));
            count += n;
        }

        return (count, hash.GetHashAndReset());
    }

    public static async Task<byte[]> ReadAllAsync(Http2Stream stream)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            ms.Write(buffer, 0, n);
        }

        return ms.ToArray();
    }

    public static string? Get(this IReadOnlyList<HeaderField> fields, string name)
    {
        foreach (var f in fields)
        {
            if (f.Name == name)
            {
                return f.Value;
            }
        }

        return null;
    }
}
