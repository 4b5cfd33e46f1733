using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Weft.Lab.Infra;

namespace Weft.Lab.Probe;

/// <summary>
/// `probe serve`: per connection, reads to EOF while hashing, answers with the digest line and
/// the reply pattern, then half-closes. Fully async, so hundreds of connections are cheap.
/// </summary>
internal static class ProbeServer
{
    private const int Backlog = 1024;

    public static async Task<int> RunAsync(ServeOptions options, CancellationToken ct)
    {
        var listeners = options.Ports.Distinct().Select(Listen).ToList();
        try
        {
            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndPoint!).Port).ToList();
            JsonLines.Write(new ListeningEvent("listening", ports), LabJsonContext.Default.ListeningEvent);
            await Task.WhenAll(listeners.Select(l => AcceptLoopAsync(l, options.ReplyBytes, ct))).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            listeners.ForEach(l => l.Dispose());
        }
    }

    /// <summary>Dual-stack [::]:port when the kernel has IPv6, else 0.0.0.0:port.</summary>
    private static Socket Listen(int port)
    {
        Socket s;
        if (Socket.OSSupportsIPv6)
        {
            s = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            s.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
        }
        else
        {
            s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Any, port));
        }

        s.Listen(Backlog);
        return s;
    }

    private static async Task AcceptLoopAsync(Socket listener, long replyBytes, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket conn;
            try
            {
                conn = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                // A connection reset before accept (or fd pressure) must not stop the server.
                await Console.Error.WriteLineAsync($"accept: {e.SocketErrorCode}: {e.Message}").ConfigureAwait(false);
                continue;
            }

            _ = ServeAsync(conn, replyBytes, ct);
        }
    }

    private static async Task ServeAsync(Socket conn, long replyBytes, CancellationToken ct)
    {
        var local = EndPoints.Format(conn.LocalEndPoint);
        var remote = EndPoints.Format(conn.RemoteEndPoint);
        var buffer = ArrayPool<byte>.Shared.Rent(ReplyPattern.ChunkSize);
        long bytes = 0;
        var sha = "";
        try
        {
            using (conn)
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                int n;
                while ((n = await conn.ReceiveAsync(buffer.AsMemory(0, ReplyPattern.ChunkSize), SocketFlags.None, ct).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    bytes += n;
                }

                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                var line = System.Text.Json.JsonSerializer.Serialize(new ServerDigest(bytes, sha), LabJsonContext.Default.ServerDigest) + "\n";
                await SendAllAsync(conn, Encoding.UTF8.GetBytes(line), ct).ConfigureAwait(false);
                for (long sent = 0; sent < replyBytes;)
                {
                    var chunk = (int)Math.Min(ReplyPattern.ChunkSize, replyBytes - sent);
                    await SendAllAsync(conn, ReplyPattern.At(sent, chunk), ct).ConfigureAwait(false);
                    sent += chunk;
                }

                conn.Shutdown(SocketShutdown.Send);
            }

            JsonLines.Write(new ConnectionEvent("conn", local, remote, bytes, sha), LabJsonContext.Default.ConnectionEvent);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            JsonLines.Write(new ConnectionEvent("conn", local, remote, bytes, sha, e.Message), LabJsonContext.Default.ConnectionEvent);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static async Task SendAllAsync(Socket s, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (!data.IsEmpty)
        {
            var n = await s.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
            data = data[n..];
        }
    }
}
