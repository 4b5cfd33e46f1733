using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Weft.Lab.Infra;

namespace Weft.Lab.Probe;

/// <summary>
/// `probe send`: C concurrent connections, each sending N random bytes, half-closing, then
/// checking the server's digest line against its own and the reply pattern up to EOF.
/// </summary>
internal static class ProbeSender
{
    private const int MaxDigestLine = 4096;

    private sealed record Outcome(string? Error, string? Sha256 = null, string? Local = null, string? Remote = null, long Received = 0);

    public static async Task<int> RunAsync(SendOptions o)
    {
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(o.Timeout);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, o.Parallel).Select(_ => ConnectionAsync(o, cts.Token))).ConfigureAwait(false);
        var first = outcomes[0];
        var failures = outcomes.Count(x => x.Error is not null);
        var result = new ProbeResult(
            Ok: failures == 0,
            Connections: o.Parallel,
            Failures: failures,
            Sent: o.Bytes,
            Received: first.Received,
            Sha256: first.Sha256,
            Local: first.Local,
            Remote: first.Remote,
            Error: outcomes.FirstOrDefault(x => x.Error is not null)?.Error,
            ElapsedMs: clock.ElapsedMilliseconds);
        JsonLines.Write(result, LabJsonContext.Default.ProbeResult);
        return result.Ok ? 0 : 1;
    }

    private static async Task<Outcome> ConnectionAsync(SendOptions o, CancellationToken ct)
    {
        // Yield first so C connections start concurrently, not one after another up to the first await.
        await Task.Yield();
        string? sha = null, local = null, remote = null;
        long received = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(ReplyPattern.ChunkSize);
        try
        {
            using var s = new Socket(o.To.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await s.ConnectAsync(o.To, ct).ConfigureAwait(false);
            local = EndPoints.Format(s.LocalEndPoint);
            remote = EndPoints.Format(s.RemoteEndPoint);
            sha = await SendRandomAsync(s, o.Bytes, buffer, o.Text, o.Pace, ct).ConfigureAwait(false);
            s.Shutdown(SocketShutdown.Send);

            var (digest, extra) = await ReadDigestAsync(s, buffer, ct).ConfigureAwait(false);
            if (digest.Bytes != o.Bytes || digest.Sha256 != sha)
            {
                return new Outcome($"server saw {digest.Bytes} bytes sha256 {digest.Sha256}; sent {o.Bytes} bytes sha256 {sha}", sha, local, remote);
            }

            received = extra;
            if (extra > o.ExpectReply || !ReplyPattern.Matches(buffer.AsSpan(0, extra), 0))
            {
                return new Outcome("reply pattern mismatch or excess at the start", sha, local, remote, received);
            }

            int n;
            while ((n = await s.ReceiveAsync(buffer.AsMemory(0, ReplyPattern.ChunkSize), SocketFlags.None, ct).ConfigureAwait(false)) > 0)
            {
                if (received + n > o.ExpectReply || !ReplyPattern.Matches(buffer.AsSpan(0, n), received))
                {
                    return new Outcome($"reply pattern mismatch or excess after {received} bytes", sha, local, remote, received);
                }

                received += n;
            }

            return received == o.ExpectReply
                ? new Outcome(null, sha, local, remote, received)
                : new Outcome($"reply had {received} bytes, expected {o.ExpectReply}", sha, local, remote, received);
        }
        catch (OperationCanceledException)
        {
            return new Outcome($"timeout after {o.Timeout.TotalMilliseconds} ms", sha, local, remote, received);
        }
        catch (SocketException e)
        {
            return new Outcome($"{e.SocketErrorCode}: {e.Message}", sha, local, remote, received);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            return new Outcome($"bad digest line: {e.Message}", sha, local, remote, received);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Streams <paramref name="count"/> random bytes (or <paramref name="text"/> repeated) through one
    /// pooled buffer (100 MiB is fine) and returns their SHA-256.
    /// </summary>
    private static async Task<string> SendRandomAsync(Socket s, long count, byte[] buffer, string? text, TimeSpan pace, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var pattern = text is null ? null : System.Text.Encoding.ASCII.GetBytes(text);
        for (long sent = 0; sent < count;)
        {
            var n = (int)Math.Min(ReplyPattern.ChunkSize, count - sent);
            if (pattern is null)
            {
                Random.Shared.NextBytes(buffer.AsSpan(0, n));
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    buffer[i] = pattern[(int)((sent + i) % pattern.Length)];
                }
            }

            hash.AppendData(buffer, 0, n);
            await ProbeServer.SendAllAsync(s, buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            sent += n;
            if (pace > TimeSpan.Zero && sent < count)
            {
                await Task.Delay(pace, ct).ConfigureAwait(false);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Reads up to the digest line's newline. Reply bytes that arrived in the same reads are
    /// moved to the start of <paramref name="buffer"/>; their count is returned as extra.
    /// </summary>
    private static async Task<(ServerDigest Digest, int Extra)> ReadDigestAsync(Socket s, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', 0, filled);
            if (newline >= 0)
            {
                var digest = JsonSerializer.Deserialize(buffer.AsSpan(0, newline), LabJsonContext.Default.ServerDigest)
                    ?? throw new InvalidDataException("null digest");
                var extra = filled - newline - 1;
                buffer.AsSpan(newline + 1, extra).CopyTo(buffer);
                return (digest, extra);
            }

            if (filled >= MaxDigestLine)
            {
                throw new InvalidDataException($"no newline in the first {filled} bytes");
            }

            var n = await s.ReceiveAsync(buffer.AsMemory(filled, MaxDigestLine - filled), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new InvalidDataException($"connection closed after {filled} bytes, before the digest line");
            }

            filled += n;
        }
    }
}
