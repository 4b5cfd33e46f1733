using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Weft.Lab;

namespace Weft.Capture.Tests.Support;

/// <summary>
/// The test's side of the lab probe's protocol (see agent/Weft.Lab/Probe): the client sends its
/// bytes and half-closes; the server answers with {"bytes":N,"sha256":…} and half-closes.
/// </summary>
internal static class ProbeWire
{
    /// <summary>Plays `probe serve` (no reply bytes) on a connection the test accepted; returns the bytes received.</summary>
    public static async Task<long> AnswerAsync(Socket conn, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await conn.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }

        var line = $"{{\"bytes\":{total},\"sha256\":\"{Convert.ToHexStringLower(hash.GetHashAndReset())}\"}}\n";
        await conn.SendAsync(Encoding.UTF8.GetBytes(line), SocketFlags.None, cts.Token);
        conn.Shutdown(SocketShutdown.Send);
        return total;
    }

    /// <summary>Plays `probe send --bytes 0` on a socket the test made: connect, half-close, read to EOF; returns the digest line.</summary>
    public static async Task<string> SendNothingAsync(Socket s, IPEndPoint to, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await s.ConnectAsync(to, cts.Token);
        s.Shutdown(SocketShutdown.Send);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return Encoding.UTF8.GetString(received.ToArray()).Split('\n')[0];
    }

    /// <summary>(local, remote) of every connection a `probe serve` process reported so far.</summary>
    public static IReadOnlyList<(string Local, string Remote)> Served(LabProcess server) =>
        [.. server.StdoutLines.Where(IsConn).Select(Parse)];

    /// <summary>Waits for the server's record of a connection from <paramref name="remotePrefix"/>.</summary>
    public static async Task<(string Local, string Remote)> WaitServedAsync(LabProcess server, string remotePrefix, TimeSpan timeout)
    {
        var line = await server.WaitForLineAsync(l => IsConn(l) && Parse(l).Remote.StartsWith(remotePrefix, StringComparison.Ordinal), timeout);
        return Parse(line);
    }

    private static bool IsConn(string line) => line.Contains("\"event\":\"conn\"", StringComparison.Ordinal);

    private static (string Local, string Remote) Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return (doc.RootElement.GetProperty("local").GetString()!, doc.RootElement.GetProperty("remote").GetString()!);
    }
}
